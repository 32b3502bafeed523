# Quickstart: RetinaNet (ResNet-18/2, GN everywhere) from random init on the
# demo shapes, on the CPU. Same loop and hooks as the long-schedule configs:
# 1x is shrunk to 600 iterations, so the LR drops at the last 400 and the
# last 133 iterations (60k/20k of 90k, scaled by 600/90000).
_base_ = [
    '../_base_/models/retinanet_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/demo_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(base_iters=600, warmup_iters=7500, val_interval=30000)
# batch 8 on one process; the recipe's lr 0.02 is for batch 16
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
