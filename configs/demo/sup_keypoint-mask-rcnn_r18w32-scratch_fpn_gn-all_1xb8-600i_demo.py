# Keypoints from scratch on the CPU: the narrow Mask R-CNN (ResNet-18 at half
# width, GN everywhere) with a keypoint branch (4 convs of 64, GN) on the demo
# shapes; each triangle has 3 keypoints (top, left, right corner). Evaluated
# by box AP and keypoint OKS AP (sigma 0.05 per keypoint, our choice).
# 600 = 3 x 200 iterations (1x shrunk to 200); drops at 467 and 556.
_base_ = [
    '../_base_/models/mask-rcnn_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/demo_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
keypoint_names = ('top', 'left', 'right')
flip_pairs = [(1, 2)]
model = dict(
    # CPU budget: 64 sampled RoIs per image (mmdet: 512), 300 proposals (mmdet:
    # 1000 / 1000); the demo images hold 1-4 large shapes
    train_cfg=dict(rpn_proposal=dict(nms_pre=600, max_per_img=300),
                   rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=300)),
    roi_head=dict(
        type='KeypointRoIHead',
        bbox_head=dict(num_classes=3), mask_head=dict(num_classes=3),
        keypoint_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=64, featmap_strides=[4, 8, 16, 32]),
        keypoint_head=dict(type='KeypointHeatmapHead', num_keypoints=len(keypoint_names),
                           in_channels=64, conv_out_channels=64, num_convs=4,
                           norm_cfg=_base_.norm_cfg)))
metainfo = dict(_base_.metainfo, keypoint_names=keypoint_names)
train_pipeline = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=_base_.img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='KeypointsFollowImage', flip_pairs=flip_pairs),
    dict(type='PackKeypointInputs'),
]
train_dataloader = dict(dataset=dict(type='CocoKeypointDataset', metainfo=metainfo,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(type='CocoKeypointDataset', metainfo=metainfo))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric', ann_file=_base_.data_root + 'annotations/instances_val.json',
         metric='bbox'),
    dict(type='CocoKeypointMetric', ann_file=_base_.data_root + 'annotations/instances_val.json',
         sigmas=[0.05] * len(keypoint_names)),
]
test_evaluator = val_evaluator
train_cfg = dict(base_iters=200, multiplier=3, warmup_iters=22500, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
