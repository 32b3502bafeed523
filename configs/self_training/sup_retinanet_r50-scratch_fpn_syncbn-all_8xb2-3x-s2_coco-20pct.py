# S2: detection AutoAugment (policy v0) on the original image, then S1
_base_ = './sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s1_coco-20pct.py'
strength = 'S2'
