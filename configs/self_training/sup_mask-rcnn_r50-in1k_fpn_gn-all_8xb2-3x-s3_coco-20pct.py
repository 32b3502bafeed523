# S3: AutoAugment + large scale jitter [0.5, 2.0], flip and crop
_base_ = './sup_mask-rcnn_r50-in1k_fpn_gn-all_8xb2-3x-s1_coco-20pct.py'
strength = dict(type='StrengthAugment', strength='S3', scale=_base_.img_scale)
train_dataloader = dict(dataset=dict(pipeline=[*_base_.load, strength, _base_.pack]))
