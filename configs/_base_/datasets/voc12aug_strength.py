# PASCAL VOC 2012 + SBD augmented (mmseg's pascal_voc12_aug) under Zoph et
# al.'s S1: flip + scale jitter [0.8, 1.2] + 512 crop (mmdet's transforms,
# the seg map moves with the image, 255 fills). A strength child restates
# the pipeline:  train_pipeline = [*_base_.load, strength, _base_.pack]
_base_ = 'mmseg::_base_/datasets/pascal_voc12_aug.py'
load = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
strength = dict(type='mmdet.StrengthAugment', strength='S1', scale=(512, 512))
pack = dict(type='PackSegInputs')
train_pipeline = [*load, strength, pack]
train_dataloader = dict(dataset=dict(datasets=[dict(_base_.dataset_train, pipeline=train_pipeline),
                                               dict(_base_.dataset_aug, pipeline=train_pipeline)]))
