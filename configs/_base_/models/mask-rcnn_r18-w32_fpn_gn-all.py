# A narrow Mask R-CNN for CPU runs and tests: ResNet-18 at half width, GN
# (16 groups) in the backbone, FPN, 4conv1fc box head and mask head; random init.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=16, requires_grad=True)
model = dict(
    backbone=dict(depth=18, base_channels=32, frozen_stages=-1, norm_cfg=norm_cfg,
                  norm_eval=False, zero_init_residual=False, init_cfg=None),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', in_channels=64, conv_out_channels=64,
                       fc_out_channels=256, norm_cfg=norm_cfg),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64, norm_cfg=norm_cfg)))
