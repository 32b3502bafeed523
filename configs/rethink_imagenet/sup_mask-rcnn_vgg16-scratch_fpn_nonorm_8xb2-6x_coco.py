# He et al.: VGG-16 Mask R-CNN without BN/GN, from random (MSRA-normalised)
# init. The paper notes it converges only with a long schedule: 6x = 540k at
# batch 16, LR drops at the last 60k / 20k. Children change train_cfg.multiplier.
_base_ = [
    '../_base_/models/mask-rcnn_vgg16_fpn_nonorm.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=2, num_workers=2)
train_cfg = dict(multiplier=6)
