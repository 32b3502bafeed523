# Zoph et al. (2020) Table 4, the self-supervised row with the paper's SimCLR:
# SimCLR's TF release trains on RGB in [0, 1] without mean/std, so the detector
# feeds it that (what ssl_to_mmdet.py --layout simclr records and prints):
#   python tools/model_converters/ssl_to_mmdet.py SIMCLR.pth \
#       checkpoints/resnet50_simclr_mmdet.pth --layout simclr
_base_ = './sup_retinanet_r50-ssl_fpn_syncbn-all_8xb2-3x-s4_coco.py'
model = dict(
    data_preprocessor=dict(mean=[0.0, 0.0, 0.0], std=[255.0, 255.0, 255.0], bgr_to_rgb=True),
    backbone=dict(init_cfg=dict(checkpoint='checkpoints/resnet50_simclr_mmdet.pth')))
