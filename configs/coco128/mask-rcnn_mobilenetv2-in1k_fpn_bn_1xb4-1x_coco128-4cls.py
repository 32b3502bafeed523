# The coco128 instance-segmentation arm with torchvision's ImageNet MobileNetV2
# (frozen-statistics BN) as the backbone; schedule, data, FPN and heads (GN)
# are the scratch config's.
_base_ = ['./mask-rcnn_mobilenetv2-scratch_fpn_gn-all_1xb4-1x_coco128-4cls.py',
          '../_base_/models/mobilenetv2_in1k.py']
model = dict(backbone=_base_.mobilenetv2_in1k)
