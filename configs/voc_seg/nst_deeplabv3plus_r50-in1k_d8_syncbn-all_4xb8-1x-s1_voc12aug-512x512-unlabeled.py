# Noisy-Student segmentation student (Zoph et al.): the segmentor of the
# in1k S1 teacher, trained on human masks and the teacher's pseudo masks
# (tools/pseudo_mask.py: scales 0.5-1.75 + flip, max probability < 0.5 ->
# 255); each batch of 8 per GPU is 4 human + 4 pseudo; losses combined by
# the LossNormalizer shared with detection.
#   C=configs/voc_seg
#   python tools/self_train.py \
#     $C/sup_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb4-1x-s1_voc12aug-512x512.py \
#     $C/nst_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb8-1x-s1_voc12aug-512x512-unlabeled.py \
#     --work-dir work_dirs/voc_st --img-dir data/unlabeled_images --tta --gpus 4
_base_ = ['./sup_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb4-1x-s1_voc12aug-512x512.py',
          '../_base_/student_data.py']
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
model = dict(
    _delete_=True,
    type='NoisyStudentSegmentor',
    segmentor=_base_.model,
    # alpha: smaller for stronger augmentation, larger for longer training
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
train_dataloader = dict(
    batch_size=8,
    sampler=dict(_base_.student_sampler, type='mmdet.MultiSourceSampler', batch_size=8),
    dataset=dict(
        _base_.student_dataset,
        human=dict(type='ConcatDataset', datasets=[
            dict(_base_.dataset_train, pipeline=_base_.train_pipeline),
            dict(_base_.dataset_aug, pipeline=_base_.train_pipeline)]),
        # tools/self_train.py points the two folders at its round
        pseudo=dict(type='BaseSegDataset', data_root='data/', img_suffix='.jpg',
                    seg_map_suffix='.png', metainfo=None,  # the human part's classes
                    data_prefix=dict(img_path='unlabeled_images', seg_map_path='pseudo_masks'),
                    pipeline=_base_.train_pipeline)))
