# Matched ImageNet-init control: the GN backbone pre-trained on ImageNet-1k
# (Detectron's R-101-GN, caffe-style BGR input), everything else identical.
_base_ = './sup_faster-rcnn_r101-scratch_fpn_gn-all_8xb2-1x_coco.py'
model = dict(
    data_preprocessor=dict(mean=[103.530, 116.280, 123.675], std=[1.0, 1.0, 1.0],
                           bgr_to_rgb=False),
    backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                checkpoint='open-mmlab://detectron/resnet101_gn')))
