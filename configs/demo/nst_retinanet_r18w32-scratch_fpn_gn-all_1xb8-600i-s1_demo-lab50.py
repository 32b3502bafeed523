# Ablation: the half-batch student. Its batch of 8 holds 4 human + 4 pseudo
# images, half the human images per step of its supervised baseline (batch 8).
_base_ = './nst_retinanet_r18w32-scratch_fpn_gn-all_1xb16-600i-s1_demo-lab50.py'
train_dataloader = dict(sampler=dict(batch_size=8))
