# S2: detection AutoAugment (policy v0) on the original image, then S1
_base_ = './nst_mask-rcnn_r50-scratch_fpn_gn-all_8xb4-3x-s1_coco-unlabeled.py'
strength = 'S2'
