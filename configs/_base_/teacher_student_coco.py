# Online teacher-student on COCO, laid out as mmdet's SoftTeacher so that
# cells compare one to one: mmdet's semi_coco_detection views (sup, weak
# teacher view, strong student view), 5 images per GPU = 1 labelled + 4
# unlabelled (GroupMultiSourceSampler), 8 GPUs, SGD lr 0.01, EMA teacher
# (MeanTeacherHook, momentum 0.001), and mmdet's split_coco.py folds:
#   python tools/misc/split_coco.py  (mmdet's)  -> data/coco/semi_anns/
#   instances_train2017.{fold}@{percent}.json / ...-unlabeled.json
# Roots wrap a detector: model = dict(_base_.ts_model, _delete_=True, detector=...)
_base_ = [
    'mmdet::_base_/datasets/semi_coco_detection.py',
    './schedules/long_schedule.py',
    './default_runtime.py',
]
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
score_thr = 0.5  # the teacher's boxes kept as pseudo labels at score >= score_thr
ts_model = dict(
    type='TeacherStudentDetector',
    teacher_kind='ema',
    # L = (L_h + alpha * avg(L_h) / avg(L_p) * L_p) / (1 + alpha)
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01),
    semi_train_cfg=dict(score_thr=score_thr, burn_in_iters=0),
    semi_test_cfg=dict(predict_on='teacher'))
# SoftTeacher's ImageNet-init backbone: caffe-style R-50, frozen BN
caffe_preprocessor = dict(type='DetDataPreprocessor', mean=[103.530, 116.280, 123.675],
                          std=[1.0, 1.0, 1.0], bgr_to_rgb=False, pad_size_divisor=32)
caffe_backbone = dict(
    type='ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3), frozen_stages=1,
    norm_cfg=dict(type='BN', requires_grad=False), norm_eval=True, style='caffe',
    init_cfg=dict(type='SafePretrained', checkpoint='open-mmlab://detectron2/resnet50_caffe'))

# mmdet's views with images loaded by SafeLoadImageFromFile (unreadable: skipped, counted)
load = dict(type='SafeLoadImageFromFile', backend_args=_base_.backend_args)
sup_pipeline = [load, *_base_.sup_pipeline[1:]]
unsup_pipeline = [load, *_base_.unsup_pipeline[1:]]
test_pipeline = [load, *_base_.test_pipeline[1:]]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
labeled_dataset = _base_.labeled_dataset
labeled_dataset.pipeline = sup_pipeline
labeled_dataset.ann_file = 'semi_anns/instances_train2017.1@10.json'
unlabeled_dataset = _base_.unlabeled_dataset
unlabeled_dataset.ann_file = 'semi_anns/instances_train2017.1@10-unlabeled.json'
unlabeled_dataset.data_prefix = dict(img='train2017/')
unlabeled_dataset.pipeline = unsup_pipeline
# named parts: a child changes dataset.human.ann_file / dataset.pseudo.ann_file
train_dataloader = dict(dataset=dict(_delete_=True, type='HumanPseudoDataset',
                                     human=labeled_dataset, pseudo=unlabeled_dataset))
# 180k = 2 x 90k; LR drops at the last 60k / 20k = 120k, 160k (SoftTeacher's)
train_cfg = dict(multiplier=2, warmup_iters=500, val_interval=5000, checkpoint_interval=10000)
val_cfg = dict(type='TeacherStudentValLoop')
optim_wrapper = dict(optimizer=dict(lr=0.01))
# teacher = (1 - momentum) * teacher + momentum * student
custom_hooks = [*_base_.custom_hooks, dict(type='MeanTeacherHook', momentum=0.001)]
