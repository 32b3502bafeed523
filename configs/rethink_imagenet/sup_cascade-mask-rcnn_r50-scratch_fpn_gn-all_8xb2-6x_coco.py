# The Cascade row with R50 (the R101 config's backbone at depth 50): 6 x 90k.
_base_ = './sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x_coco.py'
model = dict(backbone=dict(depth=50))
