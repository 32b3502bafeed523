# He et al.'s enhanced baseline, Cascade: Cascade Mask R-CNN R101-FPN, GN in
# every layer, random init. 540k = 6 x 90k at batch 16; LR drops at the last
# 60k / 20k (480k, 520k). Children: -ms (scale augmentation), -tta
# (tools/test.py --tta), in1k (ImageNet init).
_base_ = [
    '../_base_/models/cascade-mask-rcnn_r50_fpn_gn-all.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=dict(depth=101))
train_dataloader = dict(batch_size=2, num_workers=2)
train_cfg = dict(multiplier=6)
