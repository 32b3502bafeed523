# Online teacher-student Mask R-CNN on real images: coco128 (human boxes and
# polygon masks, crowd regions) + the coco-unlabeled128 folder (no json).
# The EMA teacher's pseudo boxes *and masks* are warped from its weak view
# into the student's strong view. 2 + 2 images per batch at 128 px.
#   ln -s /path/to/coco128 data/coco128
#   ln -s /path/to/coco-unlabeled128 data/coco-unlabeled128
_base_ = [
    '../_base_/models/mask-rcnn_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/semi_demo_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
score_thr = 0.5  # the teacher's boxes kept as pseudo labels at score >= score_thr
model = dict(
    _delete_=True,
    type='TeacherStudentDetector',
    detector=_base_.model,
    teacher_kind='ema',
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01),
    semi_train_cfg=dict(score_thr=score_thr, burn_in_iters=0),
    semi_test_cfg=dict(predict_on='teacher'))
custom_hooks = [*_base_.custom_hooks, dict(type='MeanTeacherHook', momentum=0.01)]
val_cfg = dict(type='TeacherStudentValLoop')

data_root = 'data/coco128/'
coco = dict(type='CocoDataset', data_root=data_root, metainfo=None,
            ann_file='annotations/instances_train2017.json', data_prefix=dict(img='train2017/'))
batch_size = 4
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(batch_size=batch_size),
    dataset=dict(
        human=dict(coco, filter_cfg=dict(filter_empty_gt=True, min_size=4)),
        pseudo=dict(data_root='data/coco-unlabeled128/', data_prefix=dict(img=''),
                    metainfo=None)))
val_dataloader = dict(batch_size=2, dataset=dict(coco, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_train2017.json',
                     metric=['bbox', 'segm'])
test_evaluator = val_evaluator
# 40 = 1 x a 1x shrunk to 40 iterations (drops at 13 and 31)
train_cfg = dict(base_iters=40, val_interval=90000, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.0025))
