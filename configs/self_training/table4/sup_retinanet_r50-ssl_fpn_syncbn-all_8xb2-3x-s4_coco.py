# Zoph et al. (2020) Table 4, the "self-supervised pre-training" row: the S4
# RetinaNet R50-FPN of the grid (all of train2017) with a self-supervised
# ResNet-50 backbone (SimCLR in the paper; MoCo, DINO, mmselfsup work too),
# converted to mmdet's keys by
#   python tools/model_converters/ssl_to_mmdet.py SSL.pth checkpoints/resnet50_ssl_mmdet.pth
# Another file: --cfg-options model.backbone.init_cfg.checkpoint=PATH
# (torchvision-style weights: the RGB mean/std of the in1k cell, unchanged).
_base_ = '../sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s4_coco.py'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',
                                         checkpoint='checkpoints/resnet50_ssl_mmdet.pth')))
