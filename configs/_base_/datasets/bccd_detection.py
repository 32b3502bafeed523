# BCCD blood-cell detection (3 classes) in COCO json, made from the VOC files by
#   python tools/dataset_converters/voc_to_coco.py ../shared/data/BCCD --out-dir data/bccd \
#       --classes RBC WBC Platelets --splits trainval test
# Train on trainval (292 images), evaluate on test (72). CPU resolution: the
# 640x480 images at `img_scale` (224x168: 0.12 of the pixels). Training uses
# Zoph et al.'s S1 (flip, scale jitter [0.8, 1.2], crop); a child config
# (strength = 'S4') or the studies (--cfg-options strength=S4) switch it.
dataset_type = 'CocoDataset'
data_root = 'data/bccd/'
metainfo = dict(classes=('RBC', 'WBC', 'Platelets'),
                palette=[(220, 20, 60), (0, 0, 192), (0, 128, 0)])
img_scale = (224, 168)
backend_args = None
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change

train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='StrengthAugment', strength=strength, scale=img_scale),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),  # iteration-based: endless, as mmdet's
    dataset=dict(
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/trainval.json', data_prefix=dict(img='JPEGImages/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=2),
        pipeline=train_pipeline, backend_args=backend_args))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/test.json', data_prefix=dict(img='JPEGImages/'),
        test_mode=True, pipeline=test_pipeline, backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'annotations/test.json',
                     metric='bbox', format_only=False, backend_args=backend_args)
test_evaluator = val_evaluator
