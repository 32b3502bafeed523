# 360k = 4 x 90k; LR drops at 300k and 340k (last 60k / 20k)
_base_ = './sup_faster-rcnn_r50-scratch_fpn_syncbn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=4)
