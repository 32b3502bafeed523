# Low-data regime (He et al.): 35000 COCO train2017 images, made with
#   python tools/misc/make_subset.py data/coco/annotations/instances_train2017.json \
#       --num-images 35000 --seed 0 --out data/coco/annotations/instances_train2017_35k.json
# 180000 iterations = 2 x a shortened 1x of 90000; LR drops at 120000 and 160000
# (the last 60k/20k of 90k, scaled by 90000/90000). lr 0.04, scale aug [512, 800].
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(512, 801, 32)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(
    ann_file='annotations/instances_train2017_35k.json', pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=0.04))
train_cfg = dict(base_iters=90000, multiplier=2)
