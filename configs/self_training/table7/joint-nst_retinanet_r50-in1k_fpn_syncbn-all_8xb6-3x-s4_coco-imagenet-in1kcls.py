# Table 7, all three: ImageNet pre-training, self-training and joint training.
_base_ = './joint-nst_retinanet_r50-scratch_fpn_syncbn-all_8xb6-3x-s4_coco-imagenet-in1kcls.py'
model = dict(detector=dict(detector=dict(backbone=dict(
    init_cfg=dict(_delete_=True, type='SafePretrained', checkpoint='torchvision://resnet50')))))
