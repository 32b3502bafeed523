# 1% of COCO train2017 labelled (mmdet's split_coco.py, fold 1), the rest unlabelled
_base_ = './ts-ema_faster-rcnn_r50-in1k_fpn_bn_8xb5-180k_coco-10pct-fold1.py'
train_dataloader = dict(dataset=dict(
    human=dict(ann_file='semi_anns/instances_train2017.1@1.json'),
    pseudo=dict(ann_file='semi_anns/instances_train2017.1@1-unlabeled.json')))
