# GroupNorm in every layer instead of SyncBN, everything else identical:
# 32 groups in the backbone, 16 in the heads (their 48-channel low-level
# projection does not divide into 32 groups).
_base_ = './sup_deeplabv3plus_r50-scratch_d8_syncbn-all_4xb4-4x-s1_voc12aug-512x512.py'
backbone_norm = dict(type='GN', num_groups=32, requires_grad=True)
head_norm = dict(type='GN', num_groups=16, requires_grad=True)
model = dict(backbone=dict(norm_cfg=backbone_norm), decode_head=dict(norm_cfg=head_norm),
             auxiliary_head=dict(norm_cfg=head_norm))
