# Offline Noisy-Student student on the demo data: each batch of 8 holds 4
# human-labelled images (labelled half of train) and 4 pseudo-labelled ones
# (tools/pseudo_label.py on the unlabelled folder), both under augmentation
# strength `strength`; losses combined by Zoph et al.'s loss normalization.
_base_ = [
    './models/retinanet_r18-w32_fpn_gn-all.py',
    './datasets/demo_detection.py',
    './schedules/long_schedule.py',
    './default_runtime.py',
    './student_data.py',
]
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
detector = _base_.model
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=detector,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))

strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='StrengthAugment', strength=strength, scale=(128, 128))
human_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    augment,
    dict(type='PackDetInputs'),  # SourceSplitDataPreprocessor splits human from pseudo
]
pseudo_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    augment,
    dict(type='PackDetInputs'),
]
human_dataset = dict(
    type='CocoDataset', data_root='data/demo/', metainfo=_base_.metainfo,
    ann_file='annotations/instances_train_labeled.json', data_prefix=dict(img='images/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=4), pipeline=human_pipeline)
pseudo_dataset = dict(
    type='CocoDataset', data_root='data/demo/', metainfo=_base_.metainfo,
    ann_file='pseudo/pseudo_labels.json', data_prefix=dict(img='unlabeled/'),
    filter_cfg=_base_.pseudo_filter_cfg, pipeline=pseudo_pipeline)
batch_size = 8
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(_base_.student_sampler, batch_size=batch_size),
    dataset=dict(_base_.student_dataset, human=human_dataset, pseudo=pseudo_dataset))
