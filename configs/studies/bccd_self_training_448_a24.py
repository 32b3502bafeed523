# The 448x336 grid's S3 pair with 24-px anchors (#17 item 4): with the
# 16-px anchors of bccd_self_training_448_grid.py every S3 and S4 run
# collapses, and the one-seed probe (bccd_s4_448_probe.py) found 24-px
# anchors serving S1 (platelets detected) and S3 alike. Three seeds of the
# supervised S1 and S3 runs and the S3 student of the S1 teacher:
#   OMP_NUM_THREADS=1 python tools/run_study.py \
#       configs/studies/bccd_self_training_448_a24.py --jobs 2
# Everything but the anchor size is the grid's (its seed-0 supervised runs
# are the probe's s1-448-anchors3 and s3-448-anchors3 commands).
_base_ = './bccd_self_training_448_grid.py'
description = """
RetinaNet-MobileNetV2 on BCCD (`configs/bccd/`), ImageNet init, 2x (200 iterations), 50% of
trainval labelled, at **448x336** with RetinaNet's anchors at three quarters of their default size
(`octave_base_scale=3`: 24-38 px at stride 8), otherwise as bccd_self_training_448_grid. Supervised:
batch 8 human images, at S1 or S3 (`StrengthAugment`: the detection AutoAugment policy v0 of Zoph,
Cubuk et al. 2019, with scale jitter [0.5, 2.0]). Student: 8 human + 8 pseudo-labelled images a
step, the same LR recipe and iterations, loss normalisation with alpha 1, trained at S3; its teacher
is the supervised S1 run of the same seed, labelling the other 50% at score >= 0.5. Metric: COCO box
AP@[.5:.95] x 100 on the 72 test images after the last iteration, and per class (classwise AP).
"""
_anchors = 'bbox_head.anchor_generator.octave_base_scale'
_by_name = {r['name']: r for r in _base_.runs}


def _a24(name):
    """The grid's run ``name`` with 24-px anchors (the only change)."""
    run = _by_name[name]
    key = next(k for k in run['options'] if k.endswith(_anchors))
    return dict(run, options=dict(run['options'], **{key: 3}),
                factors=dict(run['factors'], anchors='24-px'))


runs = [_a24('in1k-s1'), _a24('in1k-s3'), _a24('in1k-student-s3')]
_methods = ['supervised S1', 'supervised S3', 'student S3']
tables = [dict(title=f'{name} at 448x336 with 24-px anchors', rows='init', cols='method',
               metric=m, order=_methods) for m, name in _base_._metrics]
_zoph = dict(expect='higher', paper=_base_._zoph_student)
readings = [
    dict(table=t, row='in1k', a=a, b=b, paired=True, headline=t == 0,
         **(_zoph if paper and t == 0 else {}))
    for t in range(len(tables))
    for a, b, paper in (('student S3', 'supervised S3', True),
                        ('supervised S3', 'supervised S1', False))
]
figures = [dict(kind='table', table=0, file='bccd_self_training_448_a24.png',
                title='448x336, 24-px anchors (mean ± std, seeds)')]
