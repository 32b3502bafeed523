# Demo data for online teacher-student training (mmdet's semi-supervised
# layout): a labelled part (`sup` branch) and an unlabelled part seen twice,
# a weak view for the teacher (resize + flip: no crop, so the teacher's
# masks stay in its frame) and a strong view for the student (strength S1).
# Every view stores its homography, which moves pseudo labels between views.
# The unlabelled images are a plain folder (ImageFolderDataset, no json).
_base_ = './demo_detection.py'

branch_field = ['sup', 'unsup_teacher', 'unsup_student']
meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
             'flip', 'flip_direction', 'homography_matrix')
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='StrengthAugment', strength=strength, scale=_base_.img_scale)
sup_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    augment,
    dict(type='MultiBranch', branch_field=branch_field,
         sup=dict(type='PackDetInputs', meta_keys=meta_keys)),
]
weak_pipeline = [
    dict(type='Resize', scale=_base_.img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs', meta_keys=meta_keys),
]
strong_pipeline = [augment, dict(type='PackDetInputs', meta_keys=meta_keys)]
unsup_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadEmptyAnnotations', with_bbox=True, with_mask=True),
    dict(type='MultiBranch', branch_field=branch_field,
         unsup_teacher=weak_pipeline, unsup_student=strong_pipeline),
]
labeled_dataset = dict(
    type='CocoDataset', data_root=_base_.data_root, metainfo=_base_.metainfo,
    ann_file='annotations/instances_train_labeled.json', data_prefix=dict(img='images/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=4), pipeline=sup_pipeline)
unlabeled_dataset = dict(
    type='ImageFolderDataset', data_root=_base_.data_root, metainfo=_base_.metainfo,
    data_prefix=dict(img='unlabeled/'), pipeline=unsup_pipeline)
batch_size = 8
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=batch_size,
                 source_ratio=[1, 1]),  # half labelled, half unlabelled
    # source 0 = human labels, source 1 = unlabelled (pseudo-labelled online)
    dataset=dict(_delete_=True, type='HumanPseudoDataset',
                 human=labeled_dataset, pseudo=unlabeled_dataset))
