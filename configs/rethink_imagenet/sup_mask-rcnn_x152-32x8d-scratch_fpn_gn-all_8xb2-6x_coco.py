# He et al.'s bigger model: Mask R-CNN ResNeXt-152 (32x8d) FPN, GN in every
# layer, random init, 6x (540k at batch 16; drops at the last 60k / 20k).
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
model = dict(backbone=dict(type='ResNeXt', depth=152, groups=32, base_width=8))
train_cfg = dict(multiplier=6)
