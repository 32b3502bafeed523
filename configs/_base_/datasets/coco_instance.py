# mmdet's COCO instance data (mmdet::_base_/datasets/coco_instance.py) with images loaded by
# SafeLoadImageFromFile: an unreadable image is skipped and counted (docs/robustness.md)
# instead of stopping the run. Everything else is mmdet's.
_base_ = 'mmdet::_base_/datasets/coco_instance.py'
load = dict(type='SafeLoadImageFromFile', backend_args=_base_.backend_args)
train_pipeline = [load, *_base_.train_pipeline[1:]]
test_pipeline = [load, *_base_.test_pipeline[1:]]
# iteration-based schedules: an endless sampler, as mmdet's iteration-based configs use
# (no 'Reach the end of the dataloader ... restarted' each pass)
train_dataloader = dict(sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
