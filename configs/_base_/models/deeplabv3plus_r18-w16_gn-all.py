# A CPU-sized DeepLabV3+ for the demo: ResNetV1c-18 at a quarter width
# (16-32-64-128 channels), output stride 8, GroupNorm (8 groups) in every
# layer, random init, no auxiliary head.
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0,
                           seg_pad_val=255, size=(128, 128)),
    backbone=dict(type='ResNetV1c', depth=18, stem_channels=16, base_channels=16,
                  num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
                  strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False,
                  contract_dilation=True, init_cfg=None),
    decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=128, in_index=3,
                     channels=64, dilations=(1, 2, 4, 6), c1_in_channels=16, c1_channels=16,
                     dropout_ratio=0.1, num_classes=4, norm_cfg=norm_cfg, align_corners=False,
                     loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                                      loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
