# Mask R-CNN VGG-16-FPN with no normalisation anywhere (He et al.'s "training
# from scratch without BN/GN"): VGG-16 backbone (MSRA init), FPN, mmdet's
# 2fc box head and 4conv mask head, none with norm layers.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
model = dict(
    backbone=dict(_delete_=True, type='VGG16', out_indices=(1, 2, 3, 4)),
    neck=dict(in_channels=[128, 256, 512, 512]))
