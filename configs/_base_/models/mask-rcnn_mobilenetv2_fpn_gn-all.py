# A narrow Mask R-CNN on mmdet's MobileNetV2 for CPU studies: GN (8 groups,
# MobileNetV2's 24-channel layers do not divide into 32) in the backbone, FPN,
# 4conv1fc box head and mask head; random init. `mobilenetv2_in1k.py` switches
# the backbone to torchvision's ImageNet weights.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='TrimmedMobileNetV2',  # no unused conv2 (DDP)
        out_indices=(1, 2, 4, 6),     # strides 4/8/16/32, 24/32/96/320 channels
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[24, 32, 96, 320], out_channels=64, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', in_channels=64, conv_out_channels=64,
                       fc_out_channels=256, norm_cfg=norm_cfg),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64, norm_cfg=norm_cfg)))
