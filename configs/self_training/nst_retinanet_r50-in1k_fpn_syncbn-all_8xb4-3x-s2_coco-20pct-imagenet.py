# Unlabelled source: the ImageNet-1k train images, labels ignored (the
# paper's source for COCO in its Tables 2-4 and 7), instead of unlabeled2017:
#   python tools/self_train.py SUP.py THIS.py --img-dir data/imagenet/train ...
# (every image under the class folders; tools/self_train.py sets ann_file/data_prefix)
_base_ = './nst_retinanet_r50-in1k_fpn_syncbn-all_8xb4-3x-s2_coco-20pct-unlabeled.py'
train_dataloader = dict(dataset=dict(pseudo=dict(
    data_root='data/imagenet/', ann_file='train_pseudo.json', data_prefix=dict(img='train/'))))
