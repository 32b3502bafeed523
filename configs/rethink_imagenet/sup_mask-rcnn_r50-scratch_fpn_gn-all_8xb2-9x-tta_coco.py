# The R50 9x scratch run evaluated with 3 scales x flip:
#   tools/test.py configs/rethink_imagenet/THIS_FILE CKPT --tta
_base_ = ['./sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-9x_coco.py',
          '../_base_/tta_multiscale_flip.py']
