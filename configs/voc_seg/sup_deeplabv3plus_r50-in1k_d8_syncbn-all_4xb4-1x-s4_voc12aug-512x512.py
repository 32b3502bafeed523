# Strong augmentation: S4 (box-aware RandAugment, 2 ops at magnitude 10 of 10,
# on the original-size image, then large scale jitter [0.5, 2.0], flip, 512 crop)
_base_ = './sup_deeplabv3plus_r50-in1k_d8_syncbn-all_4xb4-1x-s1_voc12aug-512x512.py'
strength = 'S4'
