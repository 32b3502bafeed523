# Smoke test on real COCO images with crowd regions and polygon masks:
# a narrow Mask R-CNN (GN everywhere, random init) at 128 px on coco128.
#   ln -s /path/to/coco128 data/coco128   (images in train2017/, json in annotations/)
# 40 = 1 x a 1x shrunk to 40 iterations (drops at 13 and 31).
_base_ = [
    '../_base_/models/mask-rcnn_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/coco128/'
img_scale = (192, 128)
train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
_coco128 = dict(data_root=data_root, ann_file='annotations/instances_train2017.json',
                data_prefix=dict(img='train2017/'))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline, **_coco128))
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline, **_coco128))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_train2017.json')
test_evaluator = val_evaluator
train_cfg = dict(base_iters=40, val_interval=90000, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.0025))
