# Strong augmentation: RandAugment (magnitude 10) + large scale jitter [0.5, 2.0] + crop
_base_ = './sup_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb4-1x-s1_voc12aug-512x512.py'
strength = dict(type='mmdet.StrengthAugment', strength='S4', scale=(512, 512))
train_pipeline = [*_base_.load, strength, _base_.pack]
train_dataloader = dict(dataset=dict(datasets=[
    dict(_base_.dataset_train, pipeline=train_pipeline),
    dict(_base_.dataset_aug, pipeline=train_pipeline)]))
