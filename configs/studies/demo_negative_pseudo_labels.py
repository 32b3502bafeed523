# Does the pseudo weight avg(L_h)/avg(L_p) make a student collapse when every
# pseudo image is a pure negative (#17 item 6)? On the generated demo data
# (where AP is not under 1), three seeds:
#   OMP_NUM_THREADS=1 python tools/run_study.py \
#       configs/studies/demo_negative_pseudo_labels.py --jobs 2
# The coco128 teachers kept no box at 0.5 and their students ended detecting
# nothing; here a threshold no score reaches (1.0) makes the same pseudo labels
# from a teacher that does detect.
description = """
The quickstart's detectors on the generated demo data (`configs/demo/`: RetinaNet, ResNet-18 at
width 32, GN everywhere, random init, 600 iterations). Teacher: supervised on the labelled half.
Students (8 human + 8 pseudo images a step, loss normalisation with alpha 1) on the teacher's labels
of the unlabelled half at score >= 1.0, which keeps no box: every pseudo image is a pure negative,
as for the coco128 students. *paper rule*: the pseudo weight alpha avg(L_h)/avg(L_p)/(1+alpha)
uncapped (`LossNormalizer`'s default, as in Zoph et al.); *max_ratio 10*: the ratio capped at 10
(`model.loss_norm.max_ratio=10`, weight at most 5). Metric: COCO box AP x 100 on the 48 validation
images after the last iteration; the pseudo weight is the one logged at the last logged step.
"""
setup = [dict(creates='data/demo/DONE.json',
              cmd=['tools/misc/make_demo_data.py', '--out-dir', 'data/demo', '--num-images', '240',
                   '--seed', '0'])]
seeds = [0, 1, 2]
_teacher = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py'
_student = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb16-600i-s1_demo-lab50.py'
_negatives = dict(teacher='teacher', unlabeled=dict(img_dir='data/demo/unlabeled/'),
                  score_thr=1.0, config=_student)
runs = [
    dict(name='teacher', config=_teacher,
         factors=dict(model='teacher (human labels)', weight='-')),
    dict(name='student-negatives',
         factors=dict(model='student, negatives only', weight='paper rule'), **_negatives),
    dict(name='student-negatives-max-ratio10',
         options={'model.loss_norm.max_ratio': 10},
         factors=dict(model='student, negatives only', weight='max_ratio 10'), **_negatives),
]
tables = [
    dict(title='Box AP', rows='model', cols='weight', order=['-', 'paper rule', 'max_ratio 10']),
    dict(title='Pseudo weight at the last step', rows='model', cols='weight',
         metric='train/pseudo_weight'),
]
readings = [
    dict(table=0, row='student, negatives only', a='max_ratio 10', b='paper rule'),
    dict(table=1, row='student, negatives only', a='paper rule', b='max_ratio 10'),
]
figures = [dict(kind='curves', file='demo_negative_pseudo_labels.png',
                title='Box AP during training, seed 0 (negatives-only pseudo labels)',
                runs={'teacher': 'teacher', 'student-negatives': 'student, paper rule',
                      'student-negatives-max-ratio10': 'student, max_ratio 10'})]
