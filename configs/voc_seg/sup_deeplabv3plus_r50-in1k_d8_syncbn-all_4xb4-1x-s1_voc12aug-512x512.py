# Matched ImageNet-init control: mmseg's ImageNet ResNet-50-V1c, the usual
# 40k (1x) schedule; everything else as the scratch SyncBN config.
_base_ = './sup_deeplabv3plus_r50-scratch_d8_syncbn-all_4xb4-4x-s1_voc12aug-512x512.py'
# SafePretrained: read with weights_only=True (mmseg's `pretrained` key would go through
# mmengine's torch.hub loader, which unpickles anything)
model = dict(backbone=dict(init_cfg=dict(type='SafePretrained',
                                         checkpoint='open-mmlab://resnet50_v1c')))
train_cfg = dict(multiplier=1)
