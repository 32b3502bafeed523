# He et al. on BCCD, ImageNet-init arm: the scratch config with torchvision's
# ImageNet MobileNetV2 (frozen-statistics BN) as the backbone; same schedule,
# FPN and head (GN).
_base_ = ['./retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
          '../_base_/models/mobilenetv2_in1k.py']
model = dict(backbone=_base_.mobilenetv2_in1k)
