# Quickstart student: random init, S1 augmentation, same 600-iteration 3x
# schedule as the teacher (drops at 467 and 556).
_base_ = '../_base_/noisy_student_demo.py'
train_cfg = dict(base_iters=200, multiplier=3, warmup_iters=22500, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
