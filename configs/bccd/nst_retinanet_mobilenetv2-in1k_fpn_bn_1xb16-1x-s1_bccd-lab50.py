# The Noisy-Student student of BCCD with the ImageNet-init backbone.
_base_ = ['./nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb16-1x-s1_bccd-lab50.py',
          '../_base_/models/mobilenetv2_in1k.py']
model = dict(detector=dict(backbone=_base_.mobilenetv2_in1k))
