# Online teacher-student Mask R-CNN R50-FPN (caffe, ImageNet init) on 10% of
# COCO train2017 (fold 1) + the other 90% unlabelled. The teacher's masks
# are warped into the student's strong view as pseudo masks (mmdet's
# SoftTeacher has boxes only). Human images load their masks.
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', '../_base_/teacher_student_coco.py']
detector = _base_.model
detector.data_preprocessor = _base_.caffe_preprocessor
detector.backbone = _base_.caffe_backbone
model = dict(_base_.ts_model, _delete_=True, detector=detector)
sup_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=_base_.scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandAugment', aug_space=_base_.color_space, aug_num=1),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='MultiBranch', branch_field=_base_.branch_field, sup=dict(type='PackDetInputs')),
]
train_dataloader = dict(dataset=dict(human=dict(pipeline=sup_pipeline)))
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
