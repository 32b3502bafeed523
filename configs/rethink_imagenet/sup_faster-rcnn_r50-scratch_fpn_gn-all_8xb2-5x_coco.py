# 450k = 5 x 90k; LR drops at 390k and 430k (last 60k / 20k)
_base_ = './sup_faster-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=5)
