# ImageNet-init control of VGG-16 without normalisation: torchvision's
# ImageNet VGG-16 (RGB mean/std input, the default preprocessor), 2x.
_base_ = './sup_mask-rcnn_vgg16-scratch_fpn_nonorm_8xb2-6x_coco.py'
model = dict(backbone=dict(init_cfg=dict(type='SafePretrained', checkpoint='torchvision://vgg16')))
train_cfg = dict(multiplier=2)
