# Matched ImageNet-init control: torchvision's BN ResNet-50 (ImageNet-1k),
# fine-tuned with SyncBN everywhere (statistics not frozen).
_base_ = './sup_mask-rcnn_r50-scratch_fpn_syncbn-all_8xb2-1x_coco.py'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                         checkpoint='torchvision://resnet50')))
