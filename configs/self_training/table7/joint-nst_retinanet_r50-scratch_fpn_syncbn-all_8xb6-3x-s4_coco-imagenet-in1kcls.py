# Table 7, joint training with self-training: the S4 Noisy-Student student
# (ImageNet images as its unlabelled source, pseudo-labelled by the S4
# teacher) trained together with ImageNet classification. Each batch of 6 per
# GPU: 2 human + 2 pseudo-labelled + 2 ImageNet classification images
# (tools/self_train.py runs it as a student: table7/README.md has the command).
_base_ = ['../nst_retinanet_r50-scratch_fpn_syncbn-all_8xb4-3x-s4_coco-imagenet.py',
          '../../_base_/datasets/imagenet_cls_joint.py']
model = dict(
    _delete_=True,
    type='JointTrainingDetector',
    detector=_base_.model,
    cls_head=_base_.cls_head,
    cls_weight=_base_.cls_weight)
train_dataloader = dict(
    batch_size=6,
    sampler=dict(type='MultiSourceSampler', batch_size=6,
                 source_ratio=[1, 1, 1]),  # 2 human + 2 pseudo + 2 ImageNet per GPU
    dataset=dict(
        # metainfo: the human part's (ImageNet's own classes are the folders)
        classify=dict(_base_.imagenet_cls, pipeline=[*_base_.cls_steps, _base_.cls_pack])))
