# Strong augmentation (S4: RandAugment + large scale jitter) for the student
_base_ = './nst_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb8-1x-s1_voc12aug-512x512-unlabeled.py'
strength = dict(type='mmdet.StrengthAugment', strength='S4', scale=(512, 512))
train_pipeline = [*_base_.load, strength, _base_.pack]
train_dataloader = dict(dataset=dict(
    human=dict(datasets=[dict(_base_.dataset_train, pipeline=train_pipeline),
                         dict(_base_.dataset_aug, pipeline=train_pipeline)]),
    pseudo=dict(pipeline=train_pipeline)))
