# Semantic FPN R50, SyncBN everywhere, ImageNet init (mmseg's ResNet-50-V1c), 40k.
_base_ = [
    '../_base_/models/fpn_r50_syncbn-all.py',
    '../_base_/datasets/voc12aug_strength.py',
    '../_base_/schedules/seg_long_schedule.py',
    '../_base_/seg_runtime.py',
]
# SafePretrained: read with weights_only=True (mmseg's `pretrained` key would go through
# mmengine's torch.hub loader, which unpickles anything)
model = dict(backbone=dict(init_cfg=dict(type='SafePretrained',
                                         checkpoint='open-mmlab://resnet50_v1c')))
