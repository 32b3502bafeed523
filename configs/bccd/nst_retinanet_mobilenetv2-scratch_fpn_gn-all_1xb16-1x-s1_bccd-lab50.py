# Zoph et al. on BCCD: the offline Noisy-Student student. Each batch of 16
# holds 8 human-labelled images, as many as the supervised baseline's batch
# (same LR recipe, same iterations: the student sees every human image the
# baseline sees), from a 50% subset of trainval, made by
#   python tools/misc/make_subset.py data/bccd/annotations/trainval.json --percent 50 \
#       --seed 0 --out data/bccd/annotations/trainval_lab50.json \
#       --unlabeled-out data/bccd/annotations/trainval_unl50.json)
# and 8 images of the other half, pseudo-labelled by a teacher trained on the
# labelled half (tools/pseudo_label.py ... --out <pseudo.json>; pass it as
#   --cfg-options train_dataloader.dataset.pseudo.ann_file=<pseudo.json>).
# Both halves under the base's strength S1 (strength = 'S4' in a child, or
# --cfg-options strength=S4, switches both; pseudo_strength, when set, switches
# the pseudo half alone); loss normalization with alpha 1.
# Model and schedule are the supervised config's. The half-batch student
# (4 human + 4 pseudo in 8) is the named ablation nst_..._1xb8-1x-s1_bccd-lab50.py.
_base_ = ['./retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
          '../_base_/student_data.py']

alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
pseudo_strength = None  # the pseudo half's strength, if not `strength` (a probe's knob)
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))

augment = dict(type='StrengthAugment', strength=_base_.strength, scale=_base_.img_scale)
human_pipeline = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    augment,
    dict(type='PackDetInputs'),  # SourceSplitDataPreprocessor splits human from pseudo
]
pseudo_pipeline = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    augment,
    dict(type='PackDetInputs'),
]
human_dataset = dict(
    type='CocoDataset', data_root=_base_.data_root, metainfo=_base_.metainfo,
    ann_file='annotations/trainval_lab50.json', data_prefix=dict(img='JPEGImages/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=2), pipeline=human_pipeline)
pseudo_dataset = dict(
    type='CocoDataset', data_root=_base_.data_root, metainfo=_base_.metainfo,
    ann_file='pseudo/pseudo_labels.json', data_prefix=dict(img='JPEGImages/'),
    filter_cfg=_base_.pseudo_filter_cfg, pipeline=pseudo_pipeline)
train_dataloader = dict(
    sampler=dict(_base_.student_sampler, batch_size=16),
    dataset=dict(_base_.student_dataset, human=human_dataset, pseudo=pseudo_dataset))
