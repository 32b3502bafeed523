# The demo scenes in VOC segmentation format (tools/misc/make_demo_data.py):
# background + circle, square, triangle; 128 px; labelled half of train for
# the teacher, the unlabeled/ folder (same scenes) for pseudo masks.
dataset_type = 'BaseSegDataset'
data_root = 'data/demo/voc/'
metainfo = dict(classes=('background', 'circle', 'square', 'triangle'),
                palette=[[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]])
crop_size = (128, 128)
load = [dict(type='SafeLoadImageFromFile'), dict(type='LoadAnnotations')]
# S1 (Zoph et al.): flip + scale jitter [0.8, 1.2] + crop; mmdet's transforms
# move gt_seg_map with the image (255 fills). S4: RandAugment + [0.5, 2.0].
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='mmdet.StrengthAugment', strength=strength, scale=crop_size)
pack = dict(type='PackSegInputs')
train_pipeline = [*load, augment, pack]
test_pipeline = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
_voc = dict(type=dataset_type, data_root=data_root, metainfo=metainfo, img_suffix='.jpg',
            seg_map_suffix='.png', data_prefix=dict(img_path='JPEGImages',
                                                    seg_map_path='SegmentationClass'))
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_voc, ann_file='ImageSets/Segmentation/train_labeled.txt',
                 pipeline=train_pipeline))
# batch 1 as in mmseg: real images of different sizes cannot share a batch
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_voc, ann_file='ImageSets/Segmentation/val.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
