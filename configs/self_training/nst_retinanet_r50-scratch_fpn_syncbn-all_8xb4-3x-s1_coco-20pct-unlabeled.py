# 20% of train2017 labelled (tools/misc/make_subset.py --percent 20 --seed 0)
_base_ = './nst_retinanet_r50-scratch_fpn_syncbn-all_8xb4-3x-s1_coco-unlabeled.py'
train_dataloader = dict(dataset=dict(human=dict(
    ann_file='annotations/instances_train2017_20pct.json')))
