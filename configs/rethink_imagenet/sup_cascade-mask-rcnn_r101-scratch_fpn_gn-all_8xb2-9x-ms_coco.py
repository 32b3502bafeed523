# The longer scratch arm of the Cascade + scale-augmentation row: 9 x 90k.
_base_ = './sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x-ms_coco.py'
train_cfg = dict(multiplier=9)
