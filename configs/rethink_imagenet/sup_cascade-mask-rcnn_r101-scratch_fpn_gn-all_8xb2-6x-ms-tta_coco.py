# All three enhancements: Cascade + scale augmentation, evaluated with
# test-time augmentation (3 scales x flip, boxes merged by NMS):
#   tools/test.py configs/rethink_imagenet/THIS_FILE CKPT --tta
# (training is the -ms config's; this file only adds the TTA views)
_base_ = ['./sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x-ms_coco.py',
          '../_base_/tta_multiscale_flip.py']
