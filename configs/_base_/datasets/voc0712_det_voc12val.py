# PASCAL VOC detection as in He et al.: train on VOC07 trainval + VOC12 train,
# evaluate on VOC12 val, with train-time scale augmentation (shorter side in
# [480, 800], max 1333) and flip; test at shorter side 800.
_base_ = 'mmdet::_base_/datasets/voc0712.py'

data_root = 'data/VOCdevkit/'
train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
_voc_train = dict(type='VOCDataset', data_root=data_root,
                  filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
                  pipeline=train_pipeline, backend_args=None)
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),  # iteration-based: endless, as mmdet's
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        ignore_keys=['dataset_type'],
        datasets=[
            dict(_voc_train, ann_file='VOC2007/ImageSets/Main/trainval.txt',
                 data_prefix=dict(sub_data_root='VOC2007/')),
            dict(_voc_train, ann_file='VOC2012/ImageSets/Main/train.txt',
                 data_prefix=dict(sub_data_root='VOC2012/')),
        ]))
val_dataloader = dict(
    dataset=dict(data_root=data_root, ann_file='VOC2012/ImageSets/Main/val.txt',
                 data_prefix=dict(sub_data_root='VOC2012/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='area')
test_evaluator = val_evaluator
