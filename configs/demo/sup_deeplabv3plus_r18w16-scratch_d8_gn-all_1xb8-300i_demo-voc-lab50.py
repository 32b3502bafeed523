# Segmentation teacher on the demo data: a quarter-width DeepLabV3+ (GN
# everywhere, random init) on the 96 labelled VOC-format scenes, S1.
# 300 = 3 x 100 (1x shrunk to 100 iterations); drops at 233 and 278.
_base_ = [
    '../_base_/models/deeplabv3plus_r18-w16_gn-all.py',
    '../_base_/datasets/demo_voc_seg.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/seg_runtime.py',
]
train_cfg = dict(base_iters=100, multiplier=3, warmup_iters=9000, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
