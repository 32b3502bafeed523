# Train-time scale augmentation (He et al.): shorter side sampled from
# [640, 800] (max 1333), plus horizontal flip. The pipeline list replaces the
# base's, so it is restated whole.
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
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
