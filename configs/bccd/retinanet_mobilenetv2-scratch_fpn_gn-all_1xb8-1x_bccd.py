# He et al. on BCCD, random-init arm: RetinaNet-MobileNetV2, GN everywhere,
# batch 8 on one CPU process at 224x168. The study's 1x is 100 iterations
# (800 images, 2.7 epochs of the 292 trainval images); Nx = N x 100 and the LR
# drops x0.1 at the last 67 and the last 22 iterations (60k/20k of a 90k 1x,
# scaled by 100/90k). Warm-up 17 iterations (15k/90k x 100); validation on
# the test split every 50 (45k/90k x 100).
# A longer schedule is one value:  train_cfg = dict(multiplier=4)
_base_ = [
    '../_base_/models/retinanet_mobilenetv2_fpn_gn-all.py',
    '../_base_/datasets/bccd_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(base_iters=100, multiplier=1, warmup_iters=15000, val_interval=45000,
                 checkpoint_interval=90000)
# batch 8 on one process; the recipe's lr 0.02 is for batch 16
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=25))
randomness = dict(seed=0)
