# ImageNet-1k init, everything else identical
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-3x-s1_coco.py'
model = dict(data_preprocessor=dict(mean=[103.530, 116.280, 123.675],
                                    std=[1.0, 1.0, 1.0], bgr_to_rgb=False),
             backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                         checkpoint='open-mmlab://detectron/resnet50_gn')))
