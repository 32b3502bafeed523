# The Noisy-Student student of the coco128 instance-segmentation study with
# the ImageNet-init backbone.
_base_ = ['./nst_mask-rcnn_mobilenetv2-scratch_fpn_gn-all_1xb8-1x-s1_coco128-4cls-unlabeled128.py',
          '../_base_/models/mobilenetv2_in1k.py']
model = dict(detector=dict(backbone=_base_.mobilenetv2_in1k))
