# Online Noisy Student: a fixed teacher (the quickstart's supervised teacher,
# never updated) labels the weak views; no MeanTeacherHook.
_base_ = './ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
model = dict(teacher_kind='fixed',
             teacher_checkpoint='work_dirs/quickstart/teacher/iter_600.pth')
custom_hooks = [dict(type='SyncBNFallbackHook'), dict(type='LearningCurveHook', loss_interval=20),
                dict(type='NonFiniteLossHook', max_skips=0),
                dict(type='UnreadableImageHook', max_bad_images=0.01)]
