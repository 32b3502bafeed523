# S2: S1 + AutoAugment with the detection policy (policies_v0)
_base_ = './nst_mask-rcnn_r50-scratch_fpn_gn-all_8xb4-3x-s1_coco-unlabeled.py'
strength = dict(type='StrengthAugment', strength='S2', scale=_base_.img_scale)
train_dataloader = dict(dataset=dict(
    human=dict(pipeline=[*_base_.load, strength, _base_.human_pack]),
    pseudo=dict(pipeline=[*_base_.load, strength, _base_.pseudo_pack])))
