# ImageNet-init control (Detectron's R-50-GN, caffe-style BGR input)
_base_ = './sup_keypoint-mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco-person.py'
model = dict(
    data_preprocessor=dict(mean=[103.530, 116.280, 123.675], std=[1.0, 1.0, 1.0],
                           bgr_to_rgb=False),
    backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                checkpoint='open-mmlab://detectron/resnet50_gn')))
