# He et al.'s enhanced baseline, scale augmentation: the R50 6x -ms run with R101
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-6x-ms_coco.py'
model = dict(backbone=dict(depth=101))
