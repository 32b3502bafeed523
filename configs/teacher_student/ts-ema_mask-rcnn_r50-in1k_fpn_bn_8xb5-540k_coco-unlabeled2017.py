# All of COCO train2017 labelled + unlabeled2017 as a plain image folder
# (no json needed). 540k = 6 x 90k; LR drops at the last 60k / 20k.
_base_ = './ts-ema_mask-rcnn_r50-in1k_fpn_bn_8xb5-180k_coco-10pct-fold1.py'
train_dataloader = dict(dataset=dict(
    human=dict(ann_file='annotations/instances_train2017.json'),
    pseudo=dict(_delete_=True, type='ImageFolderDataset', data_root=_base_.data_root,
                data_prefix=dict(img='unlabeled2017/'), pipeline=_base_.unsup_pipeline)))
train_cfg = dict(multiplier=6)
