# COCO instance segmentation under augmentation strength S1: as
# coco_detection_strength.py, with masks loaded (StrengthAugment moves them
# with the boxes) and a 1024 crop, mmdet's large-scale-jitter size for Mask R-CNN.
_base_ = './coco_detection_strength.py'

img_scale = (1024, 1024)
load = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
]
augment = dict(type='StrengthAugment', strength=_base_.strength, scale=img_scale)
train_pipeline = [*load, augment, _base_.pack]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
