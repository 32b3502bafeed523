# S3: detection AutoAugment (v0), then large scale jitter [0.5, 2.0], flip, crop
_base_ = './nst_mask-rcnn_r50-in1k_fpn_gn-all_8xb4-3x-s1_coco-unlabeled.py'
strength = 'S3'
