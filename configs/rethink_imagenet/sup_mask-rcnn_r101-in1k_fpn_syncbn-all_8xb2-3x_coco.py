# 270k = 3 x 90k; LR drops at 210k and 250k (last 60k / 20k)
_base_ = './sup_mask-rcnn_r101-in1k_fpn_syncbn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=3)
