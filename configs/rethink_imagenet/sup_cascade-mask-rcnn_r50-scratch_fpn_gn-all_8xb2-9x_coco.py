# The longer scratch arm of the R50 Cascade row: 9 x 90k, drops at 750k, 790k.
_base_ = './sup_cascade-mask-rcnn_r50-scratch_fpn_gn-all_8xb2-6x_coco.py'
train_cfg = dict(multiplier=9)
