# Runtime shared by all our configs: mmdet's runtime, iteration-based logging,
# our components registered through custom_imports.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['projects.register'], allow_failed_imports=False)
# applies the one-value switches (strength, img_scale, alpha, ...) before anything is
# built, however the config is run (projects/engine/runner/rethink_runner.py)
runner_type = 'RethinkRunner'
# unreadable images tolerated before a run stops: a fraction of the set, or a count
# (one value: max_bad_images = 0.05 in a child, or --cfg-options max_bad_images=0.05)
max_bad_images = 0.01

default_hooks = dict(
    # interval/by_epoch are rewritten by LongScheduleTrainLoop when it is used
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True),
    logger=dict(type='LoggerHook', interval=50))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
# every logged scalar (loss terms, the loss-normalisation weights, LR, validation
# metrics) also goes to TensorBoard: tensorboard --logdir work_dirs/
visualizer = dict(type='DetLocalVisualizer', name='visualizer',
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
