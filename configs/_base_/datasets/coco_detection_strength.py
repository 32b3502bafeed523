# COCO detection under Zoph et al.'s augmentation strength S1 (flip, scale
# jitter [0.8, 1.2], crop to img_scale). A strength child is one line,
#   strength = 'S3'
# (or --cfg-options strength=S3): projects.utils.config_switches copies it into
# every StrengthAugment of the training data.
_base_ = './coco_detection.py'

img_scale = (640, 640)  # Zoph et al.'s RetinaNet input size
load = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
]
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='StrengthAugment', strength=strength, scale=img_scale)
pack = dict(type='PackDetInputs')
train_pipeline = [*load, augment, pack]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
# crops are square, so aspect-ratio grouping has nothing to group
train_dataloader = dict(batch_sampler=None, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
