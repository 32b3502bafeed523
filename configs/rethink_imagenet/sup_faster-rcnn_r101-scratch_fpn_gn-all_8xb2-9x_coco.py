# 810k = 9 x 90k; LR drops at 750k and 790k (last 60k / 20k)
_base_ = './sup_faster-rcnn_r101-scratch_fpn_gn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=9)
