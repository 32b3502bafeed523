# Table 7, joint training with self-training: the S4 Noisy-Student student
# (ImageNet images as its unlabelled source, pseudo-labelled by the S4
# teacher) trained together with ImageNet classification. Each batch of 6 per
# GPU: 2 human + 2 pseudo-labelled + 2 ImageNet classification images
# (tools/self_train.py runs it as a student: table7/README.md has the command).
_base_ = '../nst_retinanet_r50-scratch_fpn_syncbn-all_8xb4-3x-s4_coco-imagenet.py'
cls_weight = 1.0
model = dict(
    _delete_=True,
    type='JointTrainingDetector',
    detector=_base_.model,
    cls_head=dict(type='ImageClsHead', in_channels=2048, num_classes=1000),
    cls_weight=cls_weight)
branches = ['sup', 'unsup', 'cls']
cls_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.875, 1.25), keep_ratio=True),
    dict(type='RandomCrop', crop_size=(224, 224)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='MultiBranch', branch_field=branches,
         cls=dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                                   'img_shape', 'gt_label'))),
]
train_dataloader = dict(
    batch_size=6,
    sampler=dict(_delete_=True, type='MultiSourceSampler', batch_size=6,
                 source_ratio=[1, 1, 1]),  # 2 human + 2 pseudo + 2 ImageNet per GPU
    dataset=dict(
        human=dict(pipeline=[*_base_.load, _base_.augment,
                             dict(type='MultiBranch', branch_field=branches,
                                  sup=dict(type='PackDetInputs'))]),
        pseudo=dict(pipeline=[*_base_.load, _base_.augment,
                              dict(type='MultiBranch', branch_field=branches,
                                   unsup=dict(type='PackDetInputs'))]),
        # metainfo: the human part's (ImageNet's own classes are the folders)
        classify=dict(type='ClassFolderDataset', data_root='data/imagenet/',
                      data_prefix=dict(img='train/'), pipeline=cls_pipeline)))
