# Online teacher-student on the demo data (Mean Teacher): the teacher is an
# EMA of the student, labels a weak view of each unlabelled image online
# (score >= 0.5), and the student learns from a strong (S1) view; 4 human +
# 4 unlabelled images per batch; losses combined by LossNormalizer.
# Both teacher and student are evaluated (teacher/..., student/...);
# tools/test.py evaluates the teacher, or the student with
#   --cfg-options model.semi_test_cfg.predict_on=student
_base_ = [
    '../_base_/models/retinanet_r18-w32_fpn_gn-all.py',
    '../_base_/datasets/semi_demo_detection.py',
    '../_base_/schedules/long_schedule.py',
    '../_base_/default_runtime.py',
]
alpha = 1.0  # Zoph et al.'s loss-normalization weight of the pseudo-labelled loss
score_thr = 0.5  # the teacher's boxes kept as pseudo labels at score >= score_thr
model = dict(
    _delete_=True,
    type='TeacherStudentDetector',
    detector=_base_.model,
    teacher_kind='ema',
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01),
    semi_train_cfg=dict(score_thr=score_thr, burn_in_iters=0),
    semi_test_cfg=dict(predict_on='teacher'))
# MeanTeacherHook: teacher = (1 - momentum) * teacher + momentum * student
custom_hooks = [*_base_.custom_hooks, dict(type='MeanTeacherHook', momentum=0.01)]
val_cfg = dict(type='TeacherStudentValLoop')
# 600 = 3 x 200 (1x shrunk to 200 iterations); drops at 467 and 556
train_cfg = dict(base_iters=200, multiplier=3, warmup_iters=22500, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
