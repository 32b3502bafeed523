# Zoph et al. (NeurIPS 2020), supervised baseline / teacher: retinanet R50-FPN,
# random init, all of COCO train2017, augmentation S1.
# 270k = 3 x 90k iterations at batch 16 (8 GPUs x 2); LR drops at the last
# 60k / 20k (210k, 250k). Children change one value: init, ann_file, strength.
_base_ = [
    '../_base_/models/retinanet_r50_fpn_syncbn-all.py',
    '../_base_/datasets/coco_detection_strength.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(multiplier=3)
