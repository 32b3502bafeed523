# Segmentation schedules in He et al.'s form: 1x = 40k iterations at batch
# 16 (mmseg's VOC length), Nx = N x 40k, LR x0.1 at the last 60k/20k of a
# 90k-unit 1x (here the last 26.7k and 8.9k iterations). SGD as in mmseg.
#   A child changes one value:  train_cfg = dict(multiplier=4)   # 160k
_base_ = './long_schedule.py'
train_cfg = dict(base_iters=40000, val_interval=90000 / 4, checkpoint_interval=90000 / 4)
optim_wrapper = dict(optimizer=dict(lr=0.01, weight_decay=5e-4))
