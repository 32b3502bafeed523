# Mask R-CNN R50-FPN with GroupNorm (32 groups) in every layer: backbone, FPN,
# 4conv1fc box head and mask head (He et al.). No frozen stages or BN, and
# random init (init_cfg=None); ImageNet-init children set init_cfg.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        zero_init_residual=False,
        init_cfg=None),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256,
                       norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
