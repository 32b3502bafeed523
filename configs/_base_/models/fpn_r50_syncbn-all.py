# Semantic FPN R50 (mmseg's FPN-style model) with SyncBN in every layer,
# including the FPN neck, 21 VOC classes, random init.
_base_ = 'mmseg::_base_/models/fpn_r50.py'
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=(512, 512)),  # the crop size
    backbone=dict(norm_cfg=norm_cfg, norm_eval=False),
    neck=dict(norm_cfg=norm_cfg),
    decode_head=dict(norm_cfg=norm_cfg, num_classes=21))
