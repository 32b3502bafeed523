# A narrow RetinaNet for CPU runs: ResNet-18 at half width (32 base channels),
# GroupNorm in the backbone, the FPN and the head, random init.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=16, requires_grad=True)
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(
        depth=18,
        base_channels=32,
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        zero_init_residual=False,
        init_cfg=None),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64, start_level=1,
              add_extra_convs='on_input', num_outs=5, norm_cfg=norm_cfg),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64, stacked_convs=2,
                   norm_cfg=norm_cfg))
