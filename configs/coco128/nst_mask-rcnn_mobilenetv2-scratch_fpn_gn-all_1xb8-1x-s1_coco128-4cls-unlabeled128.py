# The Noisy-Student student of the coco128 instance-segmentation study: each
# batch of 8 holds 4 human-labelled coco128 images (as many as the supervised
# baseline's batch; same LR recipe and iterations) and 4 coco-unlabeled128
# images with the teacher's pseudo boxes and RLE masks (score >= 0.5), both
# under the base's S1 (strength = 'S4', or --cfg-options strength=S4, switches
# both); loss normalization with alpha 1. Pass the pseudo-label file with
#   --cfg-options train_dataloader.dataset.pseudo.ann_file=<pseudo.json>
# The half-batch student (2 + 2 in 4) is the ablation nst_..._1xb4-1x-s1_....py.
_base_ = ['./mask-rcnn_mobilenetv2-scratch_fpn_gn-all_1xb4-1x_coco128-4cls.py',
          '../_base_/student_data.py']
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
load = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
]
augment = dict(type='StrengthAugment', strength=_base_.strength, scale=_base_.img_scale)
pack = dict(type='PackDetInputs')  # SourceSplitDataPreprocessor splits human from pseudo
train_dataloader = dict(
    # mmdet's AspectRatioBatchSampler would regroup the sampler's half/half
    # batches by aspect ratio (coco128 mixes portrait and landscape images)
    batch_sampler=None,
    sampler=dict(_base_.student_sampler, batch_size=8),
    dataset=dict(
        _base_.student_dataset,
        human=dict(_base_.train_dataloader.dataset, pipeline=[*load, augment, pack]),
        pseudo=dict(
            type='CocoDataset', metainfo=_base_.metainfo,
            data_root='data/coco-unlabeled128/',
            ann_file='pseudo_labels.json',
            data_prefix=dict(img=''),
            filter_cfg=_base_.pseudo_filter_cfg,
            pipeline=[*load, augment, pack])))
