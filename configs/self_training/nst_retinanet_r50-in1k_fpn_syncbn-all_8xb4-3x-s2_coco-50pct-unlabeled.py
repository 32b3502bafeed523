# S2: S1 + AutoAugment with the detection policy (policies_v0)
_base_ = './nst_retinanet_r50-in1k_fpn_syncbn-all_8xb4-3x-s1_coco-50pct-unlabeled.py'
strength = dict(type='StrengthAugment', strength='S2', scale=_base_.img_scale)
train_dataloader = dict(dataset=dict(
    human=dict(pipeline=[*_base_.load, strength, _base_.human_pack]),
    pseudo=dict(pipeline=[*_base_.load, strength, _base_.pseudo_pack])))
