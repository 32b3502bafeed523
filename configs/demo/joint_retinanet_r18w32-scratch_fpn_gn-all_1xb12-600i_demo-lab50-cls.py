# Joint training (Zoph et al. 2020, Table 7) on the demo data: the quickstart
# teacher's RetinaNet (labelled half of the demo train set) and a 3-way shape
# classifier on its backbone's last stage (C5, 256 channels at width 32),
# trained together. Classification images are the classify/ crops of
# tools/misc/make_demo_data.py (ImageNet layout: one folder per class). Each
# batch: 8 detection images (the supervised config's batch) + 4 crops.
#   python tools/train.py configs/demo/joint_retinanet_r18w32-scratch_fpn_gn-all_1xb12-600i_demo-lab50-cls.py  # noqa: E501
# The checkpoint is a plain detector checkpoint plus cls_head.*: tools/test.py
# with the supervised config evaluates it as it is.
_base_ = ['./sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py',
          '../_base_/student_data.py']
cls_weight = 1.0  # weight of the classification loss
model = dict(
    _delete_=True,
    type='JointTrainingDetector',
    detector=_base_.model,
    cls_head=dict(type='ImageClsHead', in_channels=256, num_classes=3),
    cls_weight=cls_weight)
cls_pipeline = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                          'img_shape', 'gt_label')),
]
train_dataloader = dict(
    batch_size=12,
    sampler=dict(_base_.student_sampler, batch_size=12,
                 source_ratio=[2, 1]),  # 8 detection + 4 classification images
    dataset=dict(
        _base_.student_dataset,
        human=_base_.train_dataloader.dataset,
        classify=dict(type='ClassFolderDataset', data_root=_base_.data_root,
                      data_prefix=dict(img='classify/'), metainfo=_base_.metainfo,
                      pipeline=cls_pipeline)))
