# Cascade + train-time scale augmentation: shorter side sampled from
# [640, 800] (max 1333), plus flip (the -ms pipeline of the Mask R-CNN configs).
_base_ = ['./sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x_coco.py',
          '../_base_/datasets/coco_instance_ms_train.py']
train_pipeline = _base_.ms_train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
