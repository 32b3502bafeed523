# He et al. (2019) at small scale, on BCCD (real blood-smear images, 3 classes;
# trainval 292 / test 72), on a CPU at 224x168, three seeds a cell:
#   python tools/run_study.py configs/studies/bccd_pretrain_selftrain.py --jobs 2
# (a) random init (GN) vs ImageNet init at 1x/2x/4x (1x = 100 iterations);
# (c) labelled data size: 20/50/100% of trainval, both inits, 2x.
# Zoph et al.'s side (supervised vs Noisy-Student at S1-S4, thresholds, a second
# round; formerly table (b) here) is configs/studies/bccd_self_training.py,
# which, like bccd_resolution.py, inherits this file's setup steps.
# Run names are cache keys inside the work dir: a run that is done is skipped.
description = """
RetinaNet with a MobileNetV2 backbone and a narrow GN FPN/head on BCCD
(`configs/bccd/`) at 224x168, S1 augmentation: random init with GroupNorm everywhere
("scratch") against torchvision's ImageNet MobileNetV2 with frozen-statistics BN
("in1k"; the arms differ in the backbone's norm as well as its init: no GN ImageNet
MobileNetV2 exists offline). Batch 8, SGD lr 0.01, 1x = 100 iterations (2.7 epochs of
trainval), Nx = N x 100, LR x0.1 at the last 67 and 22 iterations of every schedule
(He et al.'s last 60k and 20k of 90k, scaled). Metric: COCO box AP@[.5:.95] x 100 on the
72 test images after the last iteration, and per class (classwise AP).
"""
variables = dict(bccd_root='../shared/data/BCCD')
_ann = 'data/bccd/annotations/'
setup = [
    dict(creates=_ann + 'test.json',
         cmd=['tools/dataset_converters/voc_to_coco.py', '{bccd_root}', '--out-dir', 'data/bccd',
              '--classes', 'RBC', 'WBC', 'Platelets', '--splits', 'trainval', 'test']),
    dict(creates=_ann + 'trainval_lab50.json',
         cmd=['tools/misc/make_subset.py', _ann + 'trainval.json', '--percent', '50', '--seed', '0',
              '--out', _ann + 'trainval_lab50.json',
              '--unlabeled-out', _ann + 'trainval_unl50.json']),
    dict(creates=_ann + 'trainval_lab20.json',
         cmd=['tools/misc/make_subset.py', _ann + 'trainval.json', '--percent', '20', '--seed', '0',
              '--out', _ann + 'trainval_lab20.json']),
]
seeds = [0, 1, 2]
_sup = dict(scratch='configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
            in1k='configs/bccd/retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py')
_inits = ('in1k', 'scratch')
_ann_key = 'train_dataloader.dataset.ann_file'
# the 4x runs validate every 50 iterations (the curves figure); the others only
# at the end (val_interval past the schedule: the last iteration always validates)
_final_only = {'train_cfg.val_interval': 90000}
_classwise = {'val_evaluator.classwise': True}

# Cost on the 2-core machine, two jobs of one thread each (--jobs 2), measured
# 2026-12-01: about 1.7 / 2.8 / 6 min a 1x / 2x / 4x job; 30 jobs, 55 min. The
# longest runs come first, so the two workers finish close together.
runs = (
    # (a) schedules, all labels
    [dict(name=f'{i}-{n}x-lab100', config=_sup[i],
          options=dict({'train_cfg.multiplier': n}, **_classwise,
                       **({} if n == 4 else _final_only)),
          factors=dict(init=i, schedule=f'{n}x', labels='100%', setting=f'{n}x, 100%'))
     for n in (4, 2, 1) for i in _inits]
    # (c) labelled fraction at 2x
    + [dict(name=f'{i}-2x-lab{p}', config=_sup[i],
            options=dict({'train_cfg.multiplier': 2, _ann_key: f'annotations/trainval_lab{p}.json'},
                         **_classwise, **_final_only),
            factors=dict(init=i, schedule='2x', labels=f'{p}%', setting=f'2x, {p}%'))
       for p in (20, 50) for i in _inits]
)
_settings = ['1x, 100%', '2x, 100%', '4x, 100%', '2x, 20%', '2x, 50%']
tables = [
    dict(title='(a) He et al.: random vs ImageNet init by schedule length',
         rows='init', cols='schedule', where=dict(labels='100%'), order=['1x', '2x', '4x']),
    dict(title='(c) labelled fraction of trainval (2x)',
         rows='init', cols='labels', where=dict(schedule='2x'), order=['20%', '50%', '100%']),
] + [dict(title=f'{c} AP by schedule and labelled fraction', rows='init', cols='setting',
          metric=f'coco/{c}_precision', order=_settings) for c in ('RBC', 'WBC', 'Platelets')]
# differences read as effects only beyond twice the pooled std (tools/lib/study_report.py)
_he_schedule = ('He et al. (2019) find random init catching up with ImageNet init given a '
                'longer schedule (COCO)')
_he_data = ('He et al. (2019) find random init falling behind ImageNet init when the labelled '
            'set is very small (1k COCO images), not at 10k')
readings = (
    [dict(table=0, col=s, a='in1k', b='scratch') for s in ('1x', '2x', '4x')]
    + [dict(table=0, gap=('in1k', 'scratch'), a=s, b='1x', expect='lower', paper=_he_schedule)
       for s in ('2x', '4x')]
    + [dict(table=0, gap=('in1k', 'scratch'), a='4x', b='2x', expect='lower',
            paper=_he_schedule)]
    + [dict(table=1, row=i, a='20%', b='100%') for i in _inits]
    + [dict(table=1, gap=('in1k', 'scratch'), a='20%', b='100%', expect='higher',
            paper=_he_data)]
)
figures = [
    dict(kind='curves', file='bccd_curves_4x.png',
         title='Test AP during the 4x runs, seed 0 (dashed: LR drops)',
         runs={'scratch-4x-lab100': 'random init (GN)', 'in1k-4x-lab100': 'ImageNet init'}),
    dict(kind='table', table=0, file='bccd_schedule.png',
         title='AP by schedule length (mean ± std and each seed)'),
    dict(kind='table', table=1, file='bccd_data_size.png',
         title='AP by labelled fraction (mean ± std and each seed)'),
]
