# Why do the S4 runs of bccd_self_training_448_grid.py end near zero AP at
# 448x336, when S4 learns at 224x168? A one-seed probe that separates the two
# things that study changed: the input size and the anchor size.
#   OMP_NUM_THREADS=1 python tools/run_study.py configs/studies/bccd_s4_448_probe.py --jobs 2
# One seed: it locates a failure that is 30 AP wide, it does not measure an
# effect (three seeds per cell are the rule for those).
_base_ = './bccd_self_training_448.py'
description = """
RetinaNet-MobileNetV2 on BCCD (`configs/bccd/`), ImageNet init, 2x (200 iterations), 50% of
trainval labelled, supervised at **S4**, seed 0 only: input size 224x168 or 448x336 (`img_scale`)
crossed with RetinaNet's anchors at their default size (`octave_base_scale` 4: 32-50 px at stride
8) or halved (2: 16-25 px, as bccd_self_training_448 uses at 448x336). Metric: COCO box AP@[.5:.95]
x 100 on the 72 test images after the last iteration, and per class (classwise AP).
"""
seeds = [0]
_sup = _base_.runs[0]
_anchors = 'model.bbox_head.anchor_generator.octave_base_scale'
runs = [
    dict(_sup, name=f's4-{w}-anchors{a}',
         options=dict(_sup['options'], strength='S4', img_scale=(w, h), **{_anchors: a}),
         factors=dict(size=f'{w}x{h}', anchors=f'{8 * a}-px', method='supervised S4'))
    for w, h in ((448, 336), (224, 168)) for a in (4, 2)
]
tables = [dict(title='Supervised S4 by input size and anchor size (seed 0)', rows='size',
               cols='anchors', order=['32-px', '16-px'])]
tables += [dict(t, metric=f'coco/{c}_precision', title=f'{c} AP, supervised S4 (seed 0)')
           for t in tables[:1] for c in _base_._classes]
readings = []
figures = []
