# S4: box-aware RandAugment (2 ops, magnitude 10 of 10), then S3's jitter, flip, crop
_base_ = './sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s1_coco-50pct.py'
strength = 'S4'
