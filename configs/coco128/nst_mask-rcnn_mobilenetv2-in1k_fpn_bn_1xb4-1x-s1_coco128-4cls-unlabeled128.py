# Ablation: the half-batch student. Its batch of 4 holds 2 human + 2 pseudo
# images, half the human images per step of its supervised baseline (batch 4).
_base_ = './nst_mask-rcnn_mobilenetv2-in1k_fpn_bn_1xb8-1x-s1_coco128-4cls-unlabeled128.py'
train_dataloader = dict(sampler=dict(batch_size=4))
