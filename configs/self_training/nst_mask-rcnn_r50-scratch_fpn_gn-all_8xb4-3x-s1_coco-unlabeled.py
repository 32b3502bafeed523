# Zoph et al. (NeurIPS 2020), Noisy-Student student: the detector of
# sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-3x-s1_coco.py
# trained on human labels and the teacher's pseudo labels (score >= 0.5,
# tools/pseudo_label.py or tools/self_train.py). Each batch of 4 per GPU is
# 2 human + 2 pseudo images (total 16 human per step, as the baseline), both
# under the same strength; losses combined by LossNormalizer:
#   L = (L_h + alpha * avg(L_h) / avg(L_p) * L_p) / (1 + alpha).
# One-value switches: strength ('S1'-'S4'), alpha, score_thr, and the batch
# train_dataloader.sampler.batch_size (the DataLoader's follows it).
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-3x-s1_coco.py'
alpha = 1.0  # smaller for stronger augmentation, larger for longer training
score_thr = 0.5  # pseudo labels kept at teacher score >= score_thr (tools/self_train.py)
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
human_pack = dict(type='MultiBranch', branch_field=['sup', 'unsup'],
                  sup=dict(type='PackDetInputs'))
pseudo_pack = dict(type='MultiBranch', branch_field=['sup', 'unsup'],
                   unsup=dict(type='PackDetInputs'))
train_dataloader = dict(
    batch_size=4,
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=4,
                 source_ratio=[1, 1]),  # exactly half human, half pseudo
    dataset=dict(
        _delete_=True,
        type='HumanPseudoDataset',
        human=dict(_base_.train_dataloader.dataset,
                   pipeline=[*_base_.load, _base_.augment, human_pack]),
        # tools/self_train.py points ann_file / data_prefix at its pseudo labels
        pseudo=dict(
            type='CocoDataset',
            data_root=_base_.data_root,
            ann_file='annotations/unlabeled2017_pseudo.json',
            data_prefix=dict(img='unlabeled2017/'),
            filter_cfg=dict(filter_empty_gt=False),  # negatives stay
            pipeline=[*_base_.load, _base_.augment, pseudo_pack])))
