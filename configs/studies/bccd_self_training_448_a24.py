# bccd_self_training_448_grid.py with 24-px anchors (#17 item 4): with the
# grid's 16-px anchors every S3 and S4 run collapses, and the one-seed probe
# (bccd_s4_448_probe.py) found 24-px anchors serving S1 (platelets detected)
# and S3 alike. Every run of the grid with `octave_base_scale=3`, three seeds,
# in priority order (the first session ran the first three rows):
#   OMP_NUM_THREADS=1 python tools/run_study.py \
#       configs/studies/bccd_self_training_448_a24.py --jobs 2
# Everything but the anchor size is the grid's (its seed-0 supervised S1 and
# S3 runs are the probe's s1-448-anchors3 and s3-448-anchors3 commands), and
# so are the tables and readings. Beyond the grid (a later session): random
# init's S1 pair and S2, the S2 student with its pseudo half at S1, and the
# S1 student with its pseudo half at S2.
_base_ = './bccd_self_training_448_grid.py'
description = """
RetinaNet-MobileNetV2 on BCCD (`configs/bccd/`), ImageNet init, 2x (200 iterations), 50% of
trainval labelled, at **448x336** with RetinaNet's anchors at three quarters of their default size
(`octave_base_scale=3`: 24-38 px at stride 8), otherwise as bccd_self_training_448_grid.
Supervised: batch 8 human images, at S1-S4 (`StrengthAugment`: S2 and S3 with the detection
AutoAugment policy v0 of Zoph, Cubuk et al. 2019, S3 and S4 with scale jitter [0.5, 2.0], S4 with
box-aware RandAugment, 2 ops at magnitude 10). Students: 8 human + 8 pseudo-labelled images a
step, the same LR recipe and iterations, loss normalisation with alpha 1, trained at their
strength; the teacher is the supervised S1 run of the same seed, labelling the other 50% at score
>= 0.5 (or 0.3, 0.7), or with one threshold per class, `auto`: the lowest threshold whose
precision on the teacher's own labelled half reaches 0.8. Round 2: the `auto` student labels the
pool (with `auto` thresholds of its own) for a new student. Random init (*scratch*, GN
everywhere, bccd_self_training's configs): the supervised S1 and S2 runs and the S1 student at 0.5,
otherwise the same commands. A probe: the S2 student with its pseudo-labelled half at S1
(`pseudo_strength=S1`), and the S1 student with it at S2. Metric: COCO box AP@[.5:.95] x 100
on the 72 test images after the last iteration, and per class (classwise AP).
"""
_anchors = 'bbox_head.anchor_generator.octave_base_scale'
_by_name = {r['name']: r for r in _base_.runs}


def _a24(name):
    """The grid's run ``name`` with 24-px anchors (the only change; the figure's
    line, ``arm``, names the init: this study has both)."""
    run = _by_name[name]
    key = next(k for k in run['options'] if k.endswith(_anchors))
    arm = {'arm': run['factors']['arm'] + ', ImageNet init'} if 'arm' in run['factors'] else {}
    return dict(run, options=dict(run['options'], **{key: 3}),
                factors=dict(run['factors'], anchors='24-px', **arm))


# random init (GN everywhere, bccd_self_training.py's scratch configs, named by the
# config convention): the same command with the other init's config, in its own
# table rows and figure lines
def _scratch(run):
    """``run`` (24-px anchors) from random init: config, names and init change."""
    teacher = {'teacher': run['teacher'].replace('in1k', 'scratch')} if 'teacher' in run else {}
    arm = {'arm': run['factors']['arm'].replace('ImageNet', 'random')} \
        if 'arm' in run['factors'] else {}
    return dict(run, name=run['name'].replace('in1k', 'scratch'),
                config=run['config'].replace('-in1k_fpn_bn_', '-scratch_fpn_gn-all_'), **teacher,
                factors=dict(run['factors'], init='scratch', **arm))


runs = [_a24(name) for name in (  # priority order
    'in1k-s1', 'in1k-s3', 'in1k-student-s3',  # the first session's rows
    'in1k-student-s1', 'in1k-student-s1-thrauto', 'in1k-s2', 'in1k-student-s2',
    'in1k-student-s1-thrauto-round2', 'in1k-s4',
    # the 0.7 and 0.3 students before the S4 one: S4 learns little at 24 px (the probe)
    'in1k-student-s1-thr0.7', 'in1k-student-s1-thr0.3')]
# the fifth session: random init's S1 pair and S2 (the pre-training gap at S1 and
# S2), then the S4 student
runs += [_scratch(_a24(name)) for name in ('in1k-s1', 'in1k-student-s1', 'in1k-s2')]
runs += [_a24('in1k-student-s4')]


def _pseudo_at(run, s):
    """Student ``run`` with its pseudo-labelled half at S``s`` (the human half unchanged)."""
    factors = {k: v for k, v in run['factors'].items() if k != 'arm'}  # not a figure line
    return dict(run, name=f"{run['name']}-pseudo-s{s}",
                options=dict(run['options'], pseudo_strength=f'S{s}'),
                factors=dict(factors, method=f"{factors['method']}, pseudo S{s}"))


# the fifth session's probe of the S2 student's loss: is it the S2 policy on the
# pseudo-labelled half? The same student with that half at S1, and the converse:
# the S1 student with that half at S2
runs += [_pseudo_at(_a24('in1k-student-s2'), 1), _pseudo_at(_a24('in1k-student-s1'), 2)]
tables = [dict(t, title=t['title'] + ' (24-px anchors)') for t in _base_.tables]
# the grid's readings (ImageNet init), and random init's: the student against its
# supervised run (box AP, the README's, and per class), ImageNet against random
# init at S1 and S2, and whether S2 shrinks that gap (Zoph et al.'s claim)
readings = _base_.readings + (
    [dict(table=t, row='scratch', a='student S1', b='supervised S1', paired=True,
          headline=t == 0, **(_base_._zoph if t == 0 else {})) for t in range(4)]
    + [dict(table=t, col=f'supervised S{s}', a='in1k', b='scratch', headline=s == 1)
       for t, s in ((0, 1), (4, 2))]
    + [dict(table=4, gap=('in1k', 'scratch'), a='supervised S2', b='supervised S1',
            headline=True, expect='lower', paper=_base_._zoph_gap)]
    # the probe, against the S2 student and the supervised S2 run (box AP and per class),
    # and its converse against the S1 student and the supervised S1 run
    + [dict(table=t, row='in1k', a=f'student S{s}, pseudo S{o}', b=f'{m} S{s}', paired=True,
            headline=t == 4)
       for s, o in ((2, 1), (1, 2)) for t in range(4, 8) for m in ('student', 'supervised')])
figures = [
    dict(kind='table', table=0, file='bccd_self_training_448_a24.png',
         title='24-px anchors, S1 by threshold (mean ± std)'),
    dict(kind='table', table=8, file='bccd_self_training_448_a24_strength.png',
         title='24-px anchors, by strength (mean ± std, each seed)'),
]
