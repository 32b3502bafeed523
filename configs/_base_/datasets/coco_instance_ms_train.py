# He et al.'s train-time scale augmentation for COCO instances: shorter side
# sampled from [640, 800] (max 1333), plus horizontal flip. A config that
# lists this file among its bases sets
#   train_pipeline = _base_.ms_train_pipeline
#   train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
ms_train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768),
                 (1333, 800)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
