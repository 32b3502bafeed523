# 540k = 6 x 90k; LR drops at 480k and 520k (last 60k / 20k)
_base_ = './sup_faster-rcnn_r50-in1k_fpn_gn-all_8xb2-1x_coco.py'
train_cfg = dict(multiplier=6)
