# Zoph et al. on BCCD, re-run with seeds (#17): supervised vs Noisy-Student
# student at S1-S4, both inits, a pseudo-label threshold sweep and a second
# round, each cell over three seeds:
#   python tools/run_study.py configs/studies/bccd_self_training.py
# One process per seed can share the work dir (stage records are merged under
# a lock), e.g. on a 2-core machine, one thread each:
#   OMP_NUM_THREADS=1 python tools/run_study.py configs/studies/bccd_self_training.py --seeds 0 &
#   OMP_NUM_THREADS=1 python tools/run_study.py configs/studies/bccd_self_training.py --seeds 1
# then once more without --seeds (every run is done: only the report is written).
# Runs are listed in priority order: a process stopped early has the most
# important cells.
_base_ = './bccd_pretrain_selftrain.py'
description = """
RetinaNet-MobileNetV2 on BCCD (`configs/bccd/`), 2x (200 iterations) at 224x168, 50% of trainval
labelled, the other 50% the unlabelled pool. *scratch*: random init, GN everywhere; *in1k*:
torchvision's ImageNet MobileNetV2, frozen-statistics BN. Supervised: batch 8 human images.
Student: 8 human + 8 pseudo-labelled images a step, the same LR recipe and iterations, loss
normalisation with alpha 1 (the half-batch ablation: 4 human + 4 pseudo, half the human
images); its teacher is the supervised S1 run of the same init and seed, labelling the pool at
score >= 0.5 unless the row names another threshold (`auto`: per class, the lowest threshold whose
precision on the teacher's own labelled half reaches 0.8; that half is its training data, so these
thresholds come out lower than a held-out split would give). Round 2: the
S1 student labels the pool for a new student. S1-S4 are `StrengthAugment`'s (Zoph et al.'s, boxes
move with the image); a student trains both halves at its strength. Platelets are not detected at
this size (see `configs/studies/bccd_resolution.py` for the sizes that do, and their cost): every
box AP here is a mean over three classes of which one is 0. Metric: COCO box AP@[.5:.95] x 100 on
the 72 test images after the last iteration, and per class (classwise AP).
"""
seeds = [0, 1, 2]
_sup = dict(scratch='configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
            in1k='configs/bccd/retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py')
_nst = dict(scratch='configs/bccd/'
                    'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb16-1x-s1_bccd-lab50.py',
            in1k='configs/bccd/nst_retinanet_mobilenetv2-in1k_fpn_bn_1xb16-1x-s1_bccd-lab50.py')
# the half-batch ablation: 4 human + 4 pseudo images a step (half the baseline's human images)
_half = {i: c.replace('_1xb16-', '_1xb8-') for i, c in _nst.items()}
_unlabeled = dict(ann_file='data/bccd/annotations/trainval_unl50.json',
                  img_prefix='data/bccd/JPEGImages/')
# 2x; validation at 100 and 200 only (45k of 90k: every 50 iterations by default)
_common = {'train_cfg.multiplier': 2, 'train_cfg.val_interval': 90000,
           'val_evaluator.classwise': True}
_sup_options = dict(_common, **{'train_dataloader.dataset.ann_file':
                                'annotations/trainval_lab50.json'})
_nst_options = _common
# --score-thr auto: thresholds chosen on a labelled split (here the teacher's own half)
auto_threshold = dict(holdout_ann='data/bccd/annotations/trainval_lab50.json',
                      holdout_prefix='data/bccd/JPEGImages/', target_precision=0.8)
# each teacher's labels of the pool, against the pool's held-back labels (the
# pool's images are matched by file name in the full trainval json)
pseudo_quality = dict(gt='data/bccd/annotations/trainval.json', thresholds=[0.3, 0.5, 0.7],
                      score_thr=0.05)
_inits = ('in1k', 'scratch')


def _supervised(init, s):
    return dict(name=f'{init}-s{s}', config=_sup[init],
                options=dict(_sup_options, strength=f'S{s}'),
                factors=dict(init=init, method=f'supervised S{s}', strength=f'S{s}',
                             series=f'{init}, supervised'))


def _student(init, s, thr=0.5, teacher=None, method=None, half=False):
    name = f'{init}-student-s{s}' + (f'-thr{thr}' if thr != 0.5 else '')
    return dict(name=name + ('-round2' if teacher else '') + ('-half' if half else ''),
                config=(_half if half else _nst)[init],
                teacher=teacher or f'{init}-s1', unlabeled=_unlabeled, score_thr=thr,
                options=dict(_nst_options, strength=f'S{s}'),
                factors=dict(init=init,
                             method=method or f'student S{s}' + (', half batch' if half else ''),
                             strength=f'S{s}',
                             thr=str(thr),
                             **({} if teacher or half or thr != 0.5
                                else dict(series=f'{init}, student'))))


# Cost on the 2-core machine, two jobs of one thread each: about 4 min a
# supervised job and 7 min a student job (16 images a step), i.e. 2 and 3.5
# min of the machine; the whole grid is about 2.8 hours. In this order, the
# first 42 jobs (up to the second round) take about 1.9 hours.
runs = (
    [_supervised(i, 1) for i in _inits]
    + [_student(i, 1) for i in _inits]
    + [_supervised(i, s) for s in (4, 2, 3) for i in _inits]
    + [_student('in1k', 4)]
    + [_student('in1k', 1, thr) for thr in ('auto', 0.3)]
    + [_student('in1k', 1, teacher='in1k-student-s1', method='student S1, round 2')]
    + [_student('scratch', 4), _student('in1k', 1, 0.7)]
    + [_student(i, s) for s in (2, 3) for i in _inits]
    + [_student(i, 1, half=True) for i in _inits]
)
_methods = [f'{m} S{s}' for s in (1, 2, 3, 4) for m in ('supervised', 'student')]
_classes = ('RBC', 'WBC', 'Platelets')
_extra = ['student S1, round 2', 'student S1, half batch']
_main = dict(thr=['0.5', None])  # supervised runs have no threshold
tables = (
    [dict(title='Supervised vs self-trained, by augmentation strength', rows='init',
          cols='method', where=_main, order=_methods + _extra)]
    + [dict(title=f'{c} AP', rows='init', cols='method', metric=f'coco/{c}_precision',
            where=_main, order=_methods + _extra) for c in _classes]
    + [dict(title='Student S1 (ImageNet init) by pseudo-label threshold', rows='method',
            cols='thr', where=dict(init='in1k', method='student S1'),
            order=['0.3', '0.5', '0.7', 'auto'])]
    + [dict(title='Supervised and student by strength', rows='series', cols='strength',
            order=['S1', 'S2', 'S3', 'S4'])]
)
# differences read as effects only beyond twice the pooled std (tools/lib/study_report.py);
# `expect`: the paper's direction (a against b), stated without its numbers
_zoph_student = ('Zoph et al. (2020) find self-training above the supervised model at every '
                 'augmentation strength (COCO)')
_zoph_gap = ('Zoph et al. (2020) find that stronger augmentation shrinks the value of ImageNet '
             'pre-training (COCO)')
readings = (
    [dict(table=0, row=i, a=f'student S{s}', b=f'supervised S{s}', expect='higher',
          paper=_zoph_student) for s in (1, 2, 3, 4) for i in _inits]
    + [dict(table=0, row='in1k', a='student S1, round 2', b='student S1')]
    + [dict(table=0, row=i, a='student S1, half batch', b='student S1') for i in _inits]
    + [dict(table=0, col=f'supervised S{s}', a='in1k', b='scratch') for s in (1, 2, 3, 4)]
    + [dict(table=0, gap=('in1k', 'scratch'), a=f'supervised S{s}', b='supervised S1',
            expect='lower', paper=_zoph_gap) for s in (2, 3, 4)]
    + [dict(table=t, row=i, a='student S1', b='supervised S1') for t in (1, 2) for i in _inits]
    + [dict(table=4, row='student S1', a=t, b='0.5') for t in ('0.3', '0.7', 'auto')]
)
figures = [
    dict(kind='table', table=5, file='bccd_self_training_strength.png',
         title='By strength (mean ± std and each seed)'),
    dict(kind='table', table=4, file='bccd_self_training_threshold.png',
         title='Student S1 (in1k) by threshold'),
]
