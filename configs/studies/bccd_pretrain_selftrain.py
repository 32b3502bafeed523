# Both papers' findings at small scale, on BCCD (real blood-smear images,
# 3 classes; trainval 292 / test 72), on a CPU at 224x168:
#   python tools/run_study.py configs/studies/bccd_pretrain_selftrain.py
# (a) He et al.: random init (GN) vs ImageNet init at 1x/2x/4x (1x = 100 its).
# (b) Zoph et al.: supervised vs Noisy-Student student, both inits, S1 and
#     S4, with half of trainval labelled and the other half unlabelled; the
#     student gets the supervised batch of human images plus as many pseudo
#     ones (the half-batch student is an ablation row).
# (c) labelled data size: 20/50/100% of trainval, both inits, 2x.
# Run names are cache keys inside the work dir: a run that is done is skipped.
description = """
RetinaNet with a MobileNetV2 backbone and a narrow GN FPN/head on BCCD
(`configs/bccd/`): random init with GroupNorm everywhere ("scratch") against
torchvision's ImageNet MobileNetV2 with frozen-statistics BN ("in1k"). Batch 8,
SGD lr 0.01, 1x = 100 iterations, LR x0.1 at the last 67 and 22 iterations of
every schedule. Test-split bbox AP (COCO AP@[.5:.95]).
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
seeds = [0]
_sup = dict(scratch='configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
            in1k='configs/bccd/retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py')
# students: 8 human + 8 pseudo images a step (the supervised batch of 8, plus as
# many pseudo); _half: the half-batch ablation (4 + 4)
_nst = dict(scratch='configs/bccd/'
                    'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb16-1x-s1_bccd-lab50.py',
            in1k='configs/bccd/nst_retinanet_mobilenetv2-in1k_fpn_bn_1xb16-1x-s1_bccd-lab50.py')
_half = dict(scratch='configs/bccd/'
                     'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x-s1_bccd-lab50.py',
             in1k='configs/bccd/nst_retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x-s1_bccd-lab50.py')
_inits = ('scratch', 'in1k')
_ann_key = 'train_dataloader.dataset.ann_file'
_s4 = {'strength': 'S4'}  # one switch: every StrengthAugment of the training data
_unlabeled = dict(ann_file=_ann + 'trainval_unl50.json', img_prefix='data/bccd/JPEGImages/')

runs = (
    # (a) schedules, all labels; the 2x runs repeat with a second seed
    [dict(name=f'{i}-{n}x-lab100', config=_sup[i], options={'train_cfg.multiplier': n},
          factors=dict(init=i, schedule=f'{n}x', labels='100%', method='supervised S1'),
          **(dict(seeds=[0, 1]) if n == 2 else {}))
     for i in _inits for n in (1, 2, 4)]
    # (c) labelled fraction at 2x; the 50% runs are also (b)'s teachers
    + [dict(name=f'{i}-2x-lab{p}', config=_sup[i],
            options={'train_cfg.multiplier': 2, _ann_key: f'annotations/trainval_lab{p}.json'},
            factors=dict(init=i, schedule='2x', labels=f'{p}%', method='supervised S1'))
       for i in _inits for p in (20, 50)]
    # (b) supervised S4 and Noisy-Student students (S1, S4) on 50% + pseudo labels
    + [dict(name=f'{i}-2x-lab50-s4', config=_sup[i],
            options=dict({'train_cfg.multiplier': 2,
                          _ann_key: 'annotations/trainval_lab50.json'}, **_s4),
            factors=dict(init=i, labels='50%', method='supervised S4'))
       for i in _inits]
    + [dict(name=f'{i}-2x-lab50-student-{s.lower()}', config=_nst[i], teacher=f'{i}-2x-lab50',
            unlabeled=_unlabeled,
            options=dict({'train_cfg.multiplier': 2}, **(_s4 if s == 'S4' else {})),
            factors=dict(init=i, labels='50%', method=f'student {s}'))
       for i in _inits for s in ('S1', 'S4')]
    + [dict(name=f'{i}-2x-lab50-student-s1-half', config=_half[i], teacher=f'{i}-2x-lab50',
            unlabeled=_unlabeled, options={'train_cfg.multiplier': 2},
            factors=dict(init=i, labels='50%', method='student S1, half batch'))
       for i in _inits]
)
tables = [
    dict(title='(a) He et al.: random vs ImageNet init by schedule length',
         rows='init', cols='schedule', where=dict(labels='100%')),
    dict(title='(b) Zoph et al.: supervised vs self-trained (50% labelled + 50% pseudo-labelled)',
         rows='init', cols='method', where=dict(labels='50%'),
         order=['supervised S1', 'student S1', 'supervised S4', 'student S4',
                'student S1, half batch']),
    dict(title='(c) labelled fraction of trainval (2x)',
         rows='init', cols='labels', where=dict(schedule='2x'), order=['20%', '50%', '100%']),
]
figures = [
    dict(kind='curves', file='bccd_curves_4x.png',
         title='Test AP during the 4x runs (dashed: LR drops)',
         runs={'scratch-4x-lab100': 'random init (GN)', 'in1k-4x-lab100': 'ImageNet init'}),
    dict(kind='table', table=0, file='bccd_schedule.png', title='AP by schedule length'),
    dict(kind='table', table=1, file='bccd_self_training.png', title='Self-training, 50% labelled'),
    dict(kind='table', table=2, file='bccd_data_size.png', title='AP by labelled fraction'),
]
