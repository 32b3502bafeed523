# ImageNet-1k init, everything else identical
_base_ = './nst_retinanet_r50-scratch_fpn_syncbn-all_8xb4-3x-s1_coco-unlabeled.py'
model = dict(detector=dict(backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                                       checkpoint='torchvision://resnet50'))))
