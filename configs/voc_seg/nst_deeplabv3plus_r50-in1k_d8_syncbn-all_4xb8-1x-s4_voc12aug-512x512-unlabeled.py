# Strong augmentation for the student and its human labels: S4 (box-aware
# RandAugment, 2 ops at magnitude 10 of 10, on the original-size image, then
# large scale jitter [0.5, 2.0], flip and 512 crop)
_base_ = './nst_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb8-1x-s1_voc12aug-512x512-unlabeled.py'
strength = 'S4'
