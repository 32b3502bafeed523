# 180k = 2 x 90k; LR drops at 120k and 160k (last 60k / 20k)
_base_ = './sup_faster-rcnn_r101-scratch_fpn_syncbn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=2)
