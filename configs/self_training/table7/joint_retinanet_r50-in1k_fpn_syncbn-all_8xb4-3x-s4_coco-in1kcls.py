# Table 7, joint training on top of ImageNet pre-training: the joint config
# with the grid's ImageNet-1k initialised backbone.
_base_ = './joint_retinanet_r50-scratch_fpn_syncbn-all_8xb4-3x-s4_coco-in1kcls.py'
model = dict(detector=dict(backbone=dict(
    init_cfg=dict(_delete_=True, type='SafePretrained', checkpoint='torchvision://resnet50'))))
