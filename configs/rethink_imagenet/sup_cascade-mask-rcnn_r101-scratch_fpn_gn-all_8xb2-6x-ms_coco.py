# Cascade + train-time scale augmentation: shorter side sampled from
# [640, 800] (max 1333), plus flip (the -ms pipeline of the Mask R-CNN configs).
_base_ = './sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x_coco.py'
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768),
                 (1333, 800)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
