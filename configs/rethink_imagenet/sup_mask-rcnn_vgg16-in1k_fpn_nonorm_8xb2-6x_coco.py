# The VGG-16 ImageNet arm at the scratch arm's 6x, so that a 'scratch matches'
# reading is not against an under-trained control (the 2x row stays as the short one).
_base_ = './sup_mask-rcnn_vgg16-in1k_fpn_nonorm_8xb2-2x_coco.py'
train_cfg = dict(multiplier=6)
