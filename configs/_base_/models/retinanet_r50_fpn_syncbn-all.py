# RetinaNet R50-FPN with SyncBN in every layer (backbone, FPN, head convs):
# the detector family of Zoph et al.'s COCO study. No frozen stages, no
# frozen BN, random init (init_cfg=None); ImageNet-init children set init_cfg.
# On one process SyncBNFallbackHook turns SyncBN into BN.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        zero_init_residual=False,
        init_cfg=None),
    neck=dict(norm_cfg=norm_cfg),
    bbox_head=dict(norm_cfg=norm_cfg))
