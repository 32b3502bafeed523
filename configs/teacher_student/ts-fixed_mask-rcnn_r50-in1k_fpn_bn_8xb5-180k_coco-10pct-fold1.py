# Online Noisy Student: a fixed teacher (a supervised mask-rcnn trained on the same
# 10% fold, never updated) labels the weak views; no MeanTeacherHook.
_base_ = './ts-ema_mask-rcnn_r50-in1k_fpn_bn_8xb5-180k_coco-10pct-fold1.py'
model = dict(teacher_kind='fixed',
             teacher_checkpoint='checkpoints/mask-rcnn_r50-in1k_coco-10pct-fold1.pth')
custom_hooks = [dict(type='SyncBNFallbackHook'), dict(type='LearningCurveHook', loss_interval=20),
                dict(type='NonFiniteLossHook', max_skips=0),
                dict(type='UnreadableImageHook', max_bad_images=0.01)]
