# S4: box-aware RandAugment (2 ops, magnitude 10 of 10), then S3's jitter, flip, crop
_base_ = './nst_mask-rcnn_r50-scratch_fpn_gn-all_8xb4-3x-s1_coco-50pct-unlabeled.py'
strength = 'S4'
