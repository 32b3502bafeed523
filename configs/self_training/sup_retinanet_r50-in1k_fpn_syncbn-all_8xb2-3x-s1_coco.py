# ImageNet-1k init, everything else identical
_base_ = './sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s1_coco.py'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                         checkpoint='torchvision://resnet50')))
