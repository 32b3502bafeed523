# He et al. (ICCV 2019) schedules. One value sets everything:
#   1x = 90k iterations at total batch 16 (8 GPUs x 2 images); Nx = N x 90k.
#   The LR drops x0.1 at the last 60k and again at the last 20k iterations,
#   whatever N is: 2x = 180k with drops at 120k/160k, 6x = 540k with drops
#   at 480k/520k. LongScheduleTrainLoop derives the drops, the warm-up and
#   the val/checkpoint intervals from `multiplier`, and logs them at start-up.
# A child config changes one value:  train_cfg = dict(multiplier=6)
train_cfg = dict(
    type='LongScheduleTrainLoop',
    multiplier=1,
    base_iters=90000,                 # 1x
    drops_from_end=(60000, 20000),    # in units where 1x = 90k
    gamma=0.1,
    warmup_iters=1000,                # linear warm-up from 0.001 x lr
    warmup_factor=0.001,
    val_interval=30000,               # 3 points per 1x on the learning curve
    checkpoint_interval=10000,
    base_batch_size=16,
    scale_to_batch_size=False)        # True: LR x B/16, iterations x 16/B
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = None  # written by LongScheduleTrainLoop

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    # no weight decay on GN/BN parameters (He et al.)
    paramwise_cfg=dict(norm_decay_mult=0.0),
    clip_grad=None)
auto_scale_lr = dict(enable=False, base_batch_size=16)
