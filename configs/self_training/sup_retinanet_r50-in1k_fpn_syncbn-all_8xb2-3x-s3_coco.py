# S3: detection AutoAugment (v0), then large scale jitter [0.5, 2.0], flip, crop
_base_ = './sup_retinanet_r50-in1k_fpn_syncbn-all_8xb2-3x-s1_coco.py'
strength = 'S3'
