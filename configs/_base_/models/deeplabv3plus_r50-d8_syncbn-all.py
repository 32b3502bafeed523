# DeepLabV3+ R50-D8 (mmseg) with SyncBN in every layer, no frozen stages, 21
# VOC classes, random init (pretrained=None); in1k children set the backbone's init_cfg.
# On one process SyncBNFallbackHook turns SyncBN into BN.
_base_ = 'mmseg::_base_/models/deeplabv3plus_r50-d8.py'
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=(512, 512)),  # the crop size
    backbone=dict(norm_eval=False),
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
