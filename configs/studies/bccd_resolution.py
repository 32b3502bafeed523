# Which input size lets the BCCD detector find all three classes, and at what
# cost (#17: at 224x168 the ImageNet-init teacher never detects a platelet):
#   python tools/run_study.py configs/studies/bccd_resolution.py
# The supervised ImageNet-init and random-init runs of the BCCD study's
# teachers (2x, the 50% labelled subset), at three sizes of the 640x480
# images; per-class test AP (test_evaluator/val_evaluator classwise=True).
# Set up by configs/studies/bccd_pretrain_selftrain.py (its setup steps run
# here too).
_base_ = './bccd_pretrain_selftrain.py'
description = """
The BCCD study's supervised runs (RetinaNet-MobileNetV2, 2x = 200 iterations at batch 8, 50% of
trainval labelled, S1) at 224x168 (the study's size), 320x240 and 448x336, with RetinaNet's anchors
(smallest 32-50 px) or half as large (`octave_base_scale=2`: 16-25 px), and once trained on
random 224x168 crops of the 448x336 images (tested on the whole 448x336 image): COCO box AP over
the 72 test images and per class (classwise AP@[.5:.95]); "minutes" is the cost of each setting.
"""
_sup = dict(scratch='configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
            in1k='configs/bccd/retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py')
_sizes = [(224, 168), (320, 240), (448, 336)]
seeds = [0]
runs = [
    dict(name=f'{i}-2x-lab50-{w}x{h}', config=_sup[i],
         options={'train_cfg.multiplier': 2,
                  'train_dataloader.dataset.ann_file': 'annotations/trainval_lab50.json',
                  'train_dataloader.dataset.pipeline.2.scale': (w, h),  # StrengthAugment
                  'val_dataloader.dataset.pipeline.1.scale': (w, h),  # Resize
                  'val_evaluator.classwise': True},
         factors=dict(init=i, size=f'{w}x{h}'))
    for i in ('in1k', 'scratch') for w, h in _sizes]
# RetinaNet's smallest anchors are 32-50 px (octave_base_scale 4 at stride 8); BCCD's
# platelets are 40 px (median side) at 640x480, 20 px at 320x240: one more run with
# anchors half as large (octave_base_scale 2: 16-25 px at stride 8)
runs.append(dict(name='in1k-2x-lab50-448x336-anchors16', config=_sup['in1k'],
                 options=dict(runs[2]['options'],
                              **{'model.bbox_head.anchor_generator.octave_base_scale': 2}),
                 factors=dict(init='in1k, anchors 16 px', size='448x336')))
# the same anchors at the study's size (platelets are 14 px there): both inits
runs += [dict(name=f'{i}-2x-lab50-224x168-anchors16', config=_sup[i],
              options=dict(runs[3 * k]['options'],
                           **{'model.bbox_head.anchor_generator.octave_base_scale': 2}),
              factors=dict(init=f'{i}, anchors 16 px', size='224x168'))
         for k, i in enumerate(('in1k', 'scratch'))]
_order = [f'{w}x{h}' for w, h in _sizes] + ['448x336, 224x168 crops']
tables = [dict(title=f'BCCD {name}: supervised, 2x, 50% labelled', rows='init', cols='size',
               metric=metric, order=_order)
          for name, metric in (('box AP', 'coco/bbox_mAP'), ('RBC AP', 'coco/RBC_precision'),
                               ('WBC AP', 'coco/WBC_precision'),
                               ('Platelets AP', 'coco/Platelets_precision'))]
readings = []  # the base study's readings name its own tables
figures = [dict(kind='table', table=3, file='bccd_resolution_platelets.png',
                title='Platelets AP by input size')]
# 448x336 objects at 224x168 cost: resize as for 448x336, train on random
# 224x168 crops (StrengthAugment crop_size), test on the whole 448x336 image
runs += [dict(name=f'{i}-2x-lab50-448x336-crop224-anchors16', config=_sup[i],
              options=dict(runs[3 * k + 2]['options'],
                           **{'train_dataloader.dataset.pipeline.2.crop_size': (224, 168),
                              'test_dataloader.dataset.pipeline.1.scale': (448, 336),
                              'model.bbox_head.anchor_generator.octave_base_scale': 2,
                              'train_cfg.val_interval': 90000}),  # validate at 100, 200
              factors=dict(init=f'{i}, anchors 16 px', size='448x336, 224x168 crops'))
         for k, i in enumerate(('in1k', 'scratch'))]
