# Runtime of our segmentation (mmseg) configs: mmseg's runtime, the same
# iteration-based hooks and our components (custom_imports) as detection.
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.register'], allow_failed_imports=False)
# applies the one-value switches (strength, img_scale, alpha, ...) before anything is
# built, however the config is run (projects/engine/runner/rethink_runner.py)
runner_type = 'RethinkRunner'
# unreadable images tolerated before a run stops: a fraction of the set, or a count
# (one value: max_bad_images = 0.05 in a child, or --cfg-options max_bad_images=0.05)
max_bad_images = 0.01
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # interval/by_epoch are rewritten by LongScheduleTrainLoop when it is used
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
# every logged scalar also goes to TensorBoard: tensorboard --logdir work_dirs/
visualizer = dict(type='SegLocalVisualizer', name='visualizer',
                  vis_backends=[dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')])
custom_hooks = [
    dict(type='SyncBNFallbackHook'),
    dict(type='LearningCurveHook', loss_interval=20),
    # a NaN/Inf loss stops the run before it reaches the weights
    # (NonFiniteLossHook(max_skips=N) tolerates N bad steps)
    dict(type='NonFiniteLossHook', max_skips=0),
    # an image that cannot be decoded is skipped (training draws another sample,
    # evaluation leaves it out of the metric) and counted; more than max_bad_images
    # stops the run
    dict(type='UnreadableImageHook', max_bad_images=max_bad_images),
]
