# Tiny real-data student: coco128 (human labels) + coco-unlabeled128 (the
# teacher's pseudo boxes and RLE masks), 2 + 2 images per batch under S1 at
# the teacher's 192x128; the narrow Mask R-CNN of the coco128 teacher config.
#   python tools/self_train.py \
#       configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py \
#       configs/demo/nst_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb4-40i-s1_coco128-unlabeled128.py \
#       --work-dir work_dirs/st_coco128 --img-dir data/coco-unlabeled128
_base_ = ['./sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py',
          '../_base_/student_data.py']
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
load = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
]
strength = 'S1'  # Zoph et al.'s augmentation strength, S1-S4: the one value to change
augment = dict(type='StrengthAugment', strength=strength, scale=_base_.img_scale)
pack = dict(type='PackDetInputs')  # SourceSplitDataPreprocessor splits human from pseudo
train_dataloader = dict(
    batch_size=4,
    batch_sampler=None,
    sampler=dict(_base_.student_sampler, batch_size=4),
    dataset=dict(
        _base_.student_dataset,
        human=dict(_base_.train_dataloader.dataset,
                   pipeline=[*load, augment, pack]),
        # tools/self_train.py points ann_file / data_prefix at its pseudo labels
        pseudo=dict(
            type='CocoDataset',
            data_root='data/coco-unlabeled128/',
            ann_file='pseudo_labels.json',
            data_prefix=dict(img=''),
            filter_cfg=_base_.pseudo_filter_cfg,
            pipeline=[*load, augment, pack])))
