# Segmentation student on the demo data: each batch of 8 holds 4 human-
# labelled scenes and 4 unlabelled ones with the teacher's pseudo masks
# (tools/pseudo_mask.py; 255 = ignore), both under S1; the losses are
# combined by the detection student's LossNormalizer.
_base_ = ['./sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py',
          '../_base_/student_data.py']
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
model = dict(
    _delete_=True,
    type='NoisyStudentSegmentor',
    segmentor=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
train_dataloader = dict(
    sampler=dict(_base_.student_sampler, type='mmdet.MultiSourceSampler', batch_size=8),
    dataset=dict(
        _base_.student_dataset,
        human=_base_.train_dataloader.dataset,
        # tools/self_train.py --task seg points these at its pseudo masks;
        # metainfo=None: the classes of the human part
        pseudo=dict(_base_._voc, ann_file='', data_root='data/demo/', metainfo=None,
                    data_prefix=dict(img_path='unlabeled', seg_map_path='pseudo_masks'),
                    pipeline=_base_.train_pipeline)))
