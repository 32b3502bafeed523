# S2: S1 + AutoAugment with the detection policy (policies_v0)
_base_ = './sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s1_coco-20pct.py'
strength = dict(type='StrengthAugment', strength='S2', scale=_base_.img_scale)
train_dataloader = dict(dataset=dict(pipeline=[*_base_.load, strength, _base_.pack]))
