# The FPN-style model: Semantic FPN R50, GroupNorm (32 groups) in every
# layer including the neck, random init, S1; 160k = 4 x 40k.
_base_ = [
    '../_base_/models/fpn_r50_syncbn-all.py',
    '../_base_/datasets/voc12aug_strength.py',
    '../_base_/schedules/seg_long_schedule.py',
    '../_base_/seg_runtime.py',
]
gn = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(backbone=dict(norm_cfg=gn), neck=dict(norm_cfg=gn), decode_head=dict(norm_cfg=gn))
train_cfg = dict(multiplier=4)
