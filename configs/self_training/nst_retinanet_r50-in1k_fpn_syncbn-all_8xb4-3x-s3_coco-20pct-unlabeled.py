# S3: AutoAugment + large scale jitter [0.5, 2.0], flip and crop
_base_ = './nst_retinanet_r50-in1k_fpn_syncbn-all_8xb4-3x-s1_coco-20pct-unlabeled.py'
strength = dict(type='StrengthAugment', strength='S3', scale=_base_.img_scale)
train_dataloader = dict(dataset=dict(
    human=dict(pipeline=[*_base_.load, strength, _base_.human_pack]),
    pseudo=dict(pipeline=[*_base_.load, strength, _base_.pseudo_pack])))
