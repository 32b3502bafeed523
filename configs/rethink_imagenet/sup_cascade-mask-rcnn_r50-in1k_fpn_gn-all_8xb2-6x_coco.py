# ImageNet-init control of the R50 Cascade row (Detectron's R-50-GN, caffe-style
# BGR input), everything else identical.
_base_ = './sup_cascade-mask-rcnn_r50-scratch_fpn_gn-all_8xb2-6x_coco.py'
model = dict(
    data_preprocessor=dict(mean=[103.530, 116.280, 123.675], std=[1.0, 1.0, 1.0],
                           bgr_to_rgb=False),
    backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                checkpoint='open-mmlab://detectron/resnet50_gn')))
