# RetinaNet on mmdet's MobileNetV2 (widen 1.0) + a narrow FPN, for the BCCD
# studies on CPU. Random init, GroupNorm everywhere: backbone, FPN and head.
# GN uses 8 groups because MobileNetV2's 16- and 24-channel layers do not
# divide into 32. The ImageNet arm (mobilenetv2_in1k.py)
# swaps the backbone to frozen-statistics BN with torchvision's weights.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),  # ImageNet mean/std, RGB, as torchvision
    backbone=dict(
        _delete_=True,
        type='TrimmedMobileNetV2',  # no unused conv2 (DDP)
        out_indices=(2, 4, 6),        # strides 8/16/32, 32/96/320 channels
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[32, 96, 320], out_channels=64, start_level=0,
              add_extra_convs='on_input', num_outs=5, norm_cfg=norm_cfg),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64, stacked_convs=2,
                   norm_cfg=norm_cfg))
