# 540k = 6 x 90k with scale augmentation; drops at the last 60k / 20k
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x-ms_coco.py'
train_cfg = dict(multiplier=6)
