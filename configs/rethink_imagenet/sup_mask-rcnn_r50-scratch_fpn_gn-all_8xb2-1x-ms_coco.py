# Train-time scale augmentation (He et al.): shorter side sampled from
# [640, 800] (max 1333), plus horizontal flip (../_base_/datasets/coco_instance_ms_train.py).
_base_ = ['./sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py',
          '../_base_/datasets/coco_instance_ms_train.py']
train_pipeline = _base_.ms_train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
