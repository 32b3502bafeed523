# Quickstart student: random init, S1 augmentation, same 600-iteration 3x
# schedule and LR as the teacher (drops at 467 and 556). Each batch of 16 holds
# 8 human-labelled images, as many as the teacher's batch, and 8 pseudo-labelled.
_base_ = '../_base_/noisy_student_demo.py'
train_cfg = dict(base_iters=200, multiplier=3, warmup_iters=22500, checkpoint_interval=90000)
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=20))
randomness = dict(seed=0)
train_dataloader = dict(sampler=dict(batch_size=16))  # 8 human + 8 pseudo
