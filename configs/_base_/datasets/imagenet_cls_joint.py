# The classification part of joint training (Zoph et al. 2020, Table 7):
# ImageNet-1k train images, data/imagenet/train/<wnid>/*.JPEG
# (ClassFolderDataset), 224 crops, and the classifier on a ResNet-50's C5.
# A joint config names them as HumanPseudoDataset's `classify` part:
#   classify=dict(_base_.imagenet_cls, pipeline=[*_base_.cls_steps, _base_.cls_pack])
cls_steps = [
    dict(type='SafeLoadImageFromFile'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.875, 1.25), keep_ratio=True),
    dict(type='RandomCrop', crop_size=(224, 224)),
    dict(type='RandomFlip', prob=0.5),
]
cls_pack = dict(type='PackDetInputs',
                meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'gt_label'))
imagenet_cls = dict(type='ClassFolderDataset', data_root='data/imagenet/',
                    data_prefix=dict(img='train/'))
cls_head = dict(type='ImageClsHead', in_channels=2048, num_classes=1000)
cls_weight = 1.0  # weight of the classification loss
