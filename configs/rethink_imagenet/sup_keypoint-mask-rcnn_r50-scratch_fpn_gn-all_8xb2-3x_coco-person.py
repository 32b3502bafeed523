# 270k = 3 x 90k; LR drops at 210k and 250k
_base_ = './sup_keypoint-mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco-person.py'
train_cfg = dict(multiplier=3)
