# S2: detection AutoAugment (policy v0) on the original image, then S1
_base_ = './sup_mask-rcnn_r50-in1k_fpn_gn-all_8xb2-3x-s1_coco.py'
strength = 'S2'
