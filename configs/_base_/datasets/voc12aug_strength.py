# PASCAL VOC 2012 + SBD augmented (mmseg's pascal_voc12_aug) under Zoph et
# al.'s S1: flip + scale jitter [0.8, 1.2] + 512 crop (mmdet's transforms,
# the seg map moves with the image, 255 fills). A strength child is one
# line:  strength = 'S4'
_base_ = 'mmseg::_base_/datasets/pascal_voc12_aug.py'
load = [dict(type='SafeLoadImageFromFile'), dict(type='LoadAnnotations')]
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='mmdet.StrengthAugment', strength=strength, scale=(512, 512))
pack = dict(type='PackSegInputs')
train_pipeline = [*load, augment, pack]
train_dataloader = dict(dataset=dict(datasets=[dict(_base_.dataset_train, pipeline=train_pipeline),
                                               dict(_base_.dataset_aug, pipeline=train_pipeline)]))
# mmseg's evaluation pipelines with images loaded by SafeLoadImageFromFile
test_pipeline = [load[0], *_base_.test_pipeline[1:]]
tta_pipeline = [dict(type='SafeLoadImageFromFile', backend_args=None), *_base_.tta_pipeline[1:]]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
