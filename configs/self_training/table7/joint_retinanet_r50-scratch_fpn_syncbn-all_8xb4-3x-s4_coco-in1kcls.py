# Zoph et al. (2020) Table 7, joint training: the S4 RetinaNet R50-FPN of the
# grid (random init, all of train2017) trained together with ImageNet-1k
# classification on its backbone (ImageClsHead on C5, 1000 classes). Each
# batch of 4 per GPU: 2 COCO images (the supervised batch) + 2 ImageNet images
# (224 crops); loss = detection + cls_weight x cross-entropy. The batch split,
# crop size and cls_weight are our choices (the paper's are not restated here).
# ImageNet: data/imagenet/train/<wnid>/*.JPEG (ClassFolderDataset).
_base_ = ['../sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s4_coco.py',
          '../../_base_/datasets/imagenet_cls_joint.py',
          '../../_base_/student_data.py']
model = dict(
    _delete_=True,
    type='JointTrainingDetector',
    detector=_base_.model,
    cls_head=_base_.cls_head,
    cls_weight=_base_.cls_weight)
train_dataloader = dict(
    batch_size=4,
    batch_sampler=None,
    sampler=dict(_base_.student_sampler, batch_size=4),  # 2 COCO + 2 ImageNet images per GPU
    dataset=dict(
        _base_.student_dataset,
        human=dict(_base_.train_dataloader.dataset,
                   pipeline=[*_base_.load, _base_.augment, dict(type='PackDetInputs')]),
        # metainfo: the human part's (ImageNet's own classes are the folders)
        classify=dict(_base_.imagenet_cls, pipeline=[*_base_.cls_steps, _base_.cls_pack])))
