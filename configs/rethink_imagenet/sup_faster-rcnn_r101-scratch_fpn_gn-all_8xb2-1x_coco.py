_base_ = './sup_faster-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
model = dict(backbone=dict(depth=101))
