# He et al. (ICCV 2019): faster-rcnn R50-FPN, SYNCBN in every layer,
# random init, 1x = 90k iterations at batch 16 (8 GPUs x 2 images).
# Children change one value: train_cfg = dict(multiplier=N).
_base_ = [
    '../_base_/models/faster-rcnn_r50_fpn_syncbn-all.py',
    '../_base_/datasets/coco_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=2, num_workers=2)
# BN statistics are re-estimated on 200 training batches before each evaluation
custom_hooks = [
    dict(type='SyncBNFallbackHook'),
    dict(type='LearningCurveHook', loss_interval=20),
    dict(type='PreciseBNHook', num_iters=200),
    dict(type='UnreadableImageHook', max_bad_images=0.01),
]
