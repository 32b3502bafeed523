# Quickstart: RetinaNet (ResNet-18 at half width, GN everywhere) from random
# init on the demo shapes, on the CPU, with the same loop and hooks as the
# long-schedule configs. 1x is shrunk to 200 iterations and the run is 3x:
# 600 = 3 x 200 iterations; LR drops at the last 60k/20k of a 90k 1x scaled
# by 200/90000, i.e. at 467 and 556. Warm-up 50, validation every 67.
_base_ = [
    '../_base_/models/retinanet_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/demo_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(base_iters=200, multiplier=3, warmup_iters=22500,
                 checkpoint_interval=90000)
# batch 8 on one process; the recipe's lr 0.02 is for batch 16
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
