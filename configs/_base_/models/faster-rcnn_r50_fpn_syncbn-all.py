# Faster R-CNN R50-FPN with SyncBN in every layer (backbone, FPN, 4conv1fc box
# head). BN statistics are never frozen (norm_eval=False).
# SyncBNFallbackHook turns SyncBN into BN (with a warning) in 1-process runs.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'

norm_cfg = dict(type='SyncBN', requires_grad=True)
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
                       norm_cfg=norm_cfg)))
