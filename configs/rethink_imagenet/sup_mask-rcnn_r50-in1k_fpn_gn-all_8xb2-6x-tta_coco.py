# The R50 6x ImageNet-init run evaluated with 3 scales x flip:
#   tools/test.py configs/rethink_imagenet/THIS_FILE CKPT --tta
_base_ = ['./sup_mask-rcnn_r50-in1k_fpn_gn-all_8xb2-6x_coco.py',
          '../_base_/tta_multiscale_flip.py']
