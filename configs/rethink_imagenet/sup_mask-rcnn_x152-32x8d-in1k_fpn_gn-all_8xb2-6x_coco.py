# ImageNet-init control of X152: there is no ImageNet ResNeXt-152 GN checkpoint
# offline, so the path is a variable to set (an mmdet-keyed ResNeXt state dict):
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH/x152-32x8d_gn_in1k.pth
# Its input normalisation must match the checkpoint's (default: RGB mean/std).
_base_ = './sup_mask-rcnn_x152-32x8d-scratch_fpn_gn-all_8xb2-6x_coco.py'
model = dict(backbone=dict(init_cfg=dict(
    _delete_=True, type='SafePretrained', checkpoint='checkpoints/x152-32x8d_gn_in1k.pth')))
