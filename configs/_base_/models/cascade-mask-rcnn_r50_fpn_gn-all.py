# Cascade Mask R-CNN R50-FPN with GroupNorm (32 groups) in every layer (He et
# al.'s enhanced baseline): backbone, FPN, the 4conv1fc box head of each of
# the three stages (mmdet's stage settings otherwise) and the mask head.
# Random init; ImageNet-init children set the backbone's init_cfg.
_base_ = 'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py'

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
        bbox_head=[dict(stage, type='Shared4Conv1FCBBoxHead', conv_out_channels=256,
                        norm_cfg=norm_cfg) for stage in _base_.model.roi_head.bbox_head],
        mask_head=dict(norm_cfg=norm_cfg)))
