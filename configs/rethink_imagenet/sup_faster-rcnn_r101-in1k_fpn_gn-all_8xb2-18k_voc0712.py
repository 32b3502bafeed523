# ImageNet-init control of the VOC run: Detectron's R-101-GN backbone, 18k
# iterations at batch 16 (drops at 6k/13.3k: the last 60k/20k of 90k scaled
# by 18k/90k).
_base_ = './sup_faster-rcnn_r101-scratch_fpn_gn-all_8xb2-144k_voc0712.py'
model = dict(
    data_preprocessor=dict(mean=[103.530, 116.280, 123.675], std=[1.0, 1.0, 1.0],
                           bgr_to_rgb=False),
    backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                checkpoint='open-mmlab://detectron/resnet101_gn')))
train_cfg = dict(multiplier=1)
