# He et al., PASCAL VOC: Faster R-CNN R101-FPN, GN everywhere, random init,
# with train-time scale augmentation; VOC07 trainval + VOC12 train -> VOC12 val.
# Published: 77.6 mAP (random init) vs 82.7 (ImageNet init).
# 144k iterations at batch 16 = 8 x the 18k of the pre-trained run; the LR
# drops at the last 60k / 20k of each 90k are scaled to this 1x of 18k:
# base_iters=18000 shrinks drops, warm-up and intervals by 18k/90k.
_base_ = [
    '../_base_/models/faster-rcnn_r50_fpn_gn-all.py',
    '../_base_/datasets/voc0712_det_voc12val.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=dict(depth=101), roi_head=dict(bbox_head=dict(num_classes=20)))
train_cfg = dict(base_iters=18000, multiplier=8)
