# S4: box-aware RandAugment (2 ops, magnitude 10 of 10), then S3's jitter, flip, crop
_base_ = './nst_retinanet_r50-in1k_fpn_syncbn-all_8xb4-3x-s1_coco-20pct-unlabeled.py'
strength = 'S4'
