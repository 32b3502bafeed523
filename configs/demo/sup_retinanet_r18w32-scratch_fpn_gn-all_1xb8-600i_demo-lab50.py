# The quickstart teacher: the demo RetinaNet trained on the labelled half of
# the demo train set only (96 images); the other half is the unlabelled pool.
_base_ = './sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py'
train_dataloader = dict(dataset=dict(ann_file='annotations/instances_train_labeled.json'))
