# He et al.: Mask R-CNN with the keypoint branch on COCO person keypoints,
# GN in every layer (keypoint head included), random init. 1x = 90k at batch
# 16; drops at the last 60k / 20k. Children change train_cfg.multiplier.
_base_ = [
    '../_base_/models/keypoint-mask-rcnn_r50_fpn_gn-all.py',
    '../_base_/datasets/coco_person_keypoints.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=1), mask_head=dict(num_classes=1)))
train_dataloader = dict(batch_size=2, num_workers=2)
