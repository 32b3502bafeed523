# All three enhancements on the 9x scratch arm (training is the 9x -ms config's):
#   tools/test.py configs/rethink_imagenet/THIS_FILE CKPT --tta
_base_ = ['./sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-9x-ms_coco.py',
          '../_base_/tta_multiscale_flip.py']
