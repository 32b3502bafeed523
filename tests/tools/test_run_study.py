"""tools/run_study.py: study validation, tables from numbers, a tiny real grid."""
import json
import os
import os.path as osp

import pytest
from mmengine.config import Config

from projects.utils import UserInputError
from tools.lib.study_report import mean_std, render_results, render_table, table_cells
from tests.conftest import ROOT, run_tool
from tools import run_study
from tools.run_study import load_study

BCCD_STUDY = 'configs/studies/bccd_pretrain_selftrain.py'
COCO128_STUDY = 'configs/studies/coco128_selftrain_instance.py'


def _result(name, seed, ap, **factors):
    return dict(name=name, seed=seed, factors=factors, final={'coco/bbox_mAP': ap}, minutes=0.1)


def test_table_cells_are_mean_and_sample_std_over_seeds():
    results = [_result('a', 0, 0.30, init='scratch', schedule='1x'),
               _result('a', 1, 0.34, init='scratch', schedule='1x'),
               _result('b', 0, 0.40, init='in1k', schedule='1x'),
               _result('c', 0, 0.99, init='in1k', schedule='1x', labels='20%')]
    table = dict(rows='init', cols='schedule', where=dict(labels=None))
    cells = table_cells(results, table)
    mean, std, n = cells['scratch']['1x']
    assert mean == pytest.approx(0.32) and std == pytest.approx(0.0282843, rel=1e-5) and n == 2
    assert cells['in1k']['1x'] == (pytest.approx(0.40), 0.0, 1)  # 'c' filtered out by where
    text = render_table(results, table)
    assert '| scratch | 32.0 ± 2.8 (n=2) |' in text and '| in1k | 40.0 |' in text
    assert mean_std([])[2] == 0


def test_columns_follow_the_table_order_and_empty_tables_say_so():
    results = [_result(f'r{p}', 0, p / 100, init='in1k', labels=f'{p}%') for p in (100, 20, 50)]
    table = dict(rows='init', cols='labels', order=['20%', '50%', '100%'])
    assert '| init \\ labels | 20% | 50% | 100% |' in render_table(results, table)
    assert '| in1k | 20.0 | 50.0 | 100.0 |' in render_table(results, table)
    assert render_table(results, dict(rows='init', cols='method')).endswith('(no finished run yet)')


def test_every_run_table_has_each_table_metric_and_the_pseudo_label_counts():
    result = _result('s', 0, 0.123, init='in1k', method='student')
    result['final'].update({'coco/bbox_mAP_50': 0.25, 'coco/segm_mAP': 0.056,
                            'coco/segm_mAP_50': 0.1})
    study = dict(tables=[dict(rows='init', cols='method', metric='coco/bbox_mAP'),
                         dict(rows='init', cols='method', metric='coco/segm_mAP')])
    pseudo = [dict(teacher='t', seed=0, file='p.json', images=8, boxes=3)]
    text = render_results(study, 'x', [result], [], '.', 'cmd', 'cpu', pseudo=pseudo)
    assert '| run | seed | factors | bbox AP | bbox AP50 | segm AP | segm AP50 | minutes |' in text
    assert '| s | 0 | init=in1k, method=student | 12.3 | 25.0 | 5.6 | 10.0 | 0.1 |' in text
    assert '| t | 0 | p.json | 8 | 3 | 0.38 |' in text
    single = render_results(dict(tables=[]), 'x', [result], [], '.', 'cmd', 'cpu')
    assert '| run | seed | factors | AP | AP50 | minutes |' in single
    assert 'Pseudo labels' not in single


def test_every_run_table_says_when_the_final_validation_detected_nothing():
    result = _result('s', 0, 0.0)
    result['final']['empty'] = True
    text = render_results(dict(tables=[]), 'x', [result], [], '.', 'cmd', 'cpu')
    assert '| s (nothing detected: AP 0) | 0 |' in text


def _fake_training(monkeypatch, val):
    """Replace the training command by one that leaves ``val`` as curve.json
    (and a checkpoint); returns the stage runner."""
    from projects.selftrain import StageRunner

    def fake_command(self, cmd, log=None):
        run_dir = cmd[cmd.index('--work-dir') + 1]
        os.makedirs(run_dir, exist_ok=True)
        with open(osp.join(run_dir, 'curve.json'), 'w') as f:
            json.dump(dict(val=val), f)
        open(osp.join(run_dir, 'iter_1.pth'), 'w').close()
        with open(osp.join(run_dir, 'last_checkpoint'), 'w') as f:
            f.write(osp.join(run_dir, 'iter_1.pth'))
    monkeypatch.setattr(StageRunner, 'run_command', fake_command)
    return lambda tmp_path: StageRunner(str(tmp_path / 'stages.json'))


def test_a_run_that_never_detected_anything_is_a_result_of_ap_0(tmp_path, monkeypatch):
    study = load_study(osp.join(ROOT, COCO128_STUDY))
    stages = _fake_training(monkeypatch, [{'iter': 100, 'empty': True},
                                          {'iter': 200, 'empty': True}])(tmp_path)
    result = run_study.train_run(study, stages, study.runs[0], 0, str(tmp_path), {})
    assert result['final'] == {'iter': 200, 'empty': True, 'coco/bbox_mAP': 0.0,
                               'coco/bbox_mAP_50': 0.0, 'coco/segm_mAP': 0.0,
                               'coco/segm_mAP_50': 0.0}
    assert json.load(open(tmp_path / study.runs[0]['name'] / 'seed0' / 'result.json')) == result


def test_a_run_without_any_validation_is_one_clear_line(tmp_path, monkeypatch):
    study = load_study(osp.join(ROOT, COCO128_STUDY))
    stages = _fake_training(monkeypatch, [])(tmp_path)
    with pytest.raises(UserInputError,
                       match='training ended without a validation; see .*train.log'):
        run_study.train_run(study, stages, study.runs[0], 0, str(tmp_path), {})


@pytest.mark.parametrize('runs, message', [
    ([dict(name='a', config='x.py'), dict(name='a', config='y.py')], 'used twice'),
    ([dict(name='s', config='x.py', teacher='t', unlabeled={}), dict(name='t', config='x.py')],
     'teacher "t" must be a run listed before it'),
    ([dict(name='t', config='x.py'),
      dict(name='s', config='x.py', teacher='t', unlabeled=dict(ann_file='u.json'))],
     'has a teacher but no "unlabeled" images'),
    ([dict(name='s')], 'has no "config"'),
    ([], 'no runs')])
def test_bad_study_is_one_clear_line(tmp_path, runs, message):
    path = tmp_path / 'study.py'
    path.write_text(f'runs = {runs!r}\n')
    with pytest.raises(UserInputError, match=message):
        load_study(str(path))


def test_bccd_study_grid_is_complete():
    study = load_study(osp.join(ROOT, BCCD_STUDY))
    names = [r['name'] for r in study.runs]
    assert len(names) == 18 and all(osp.isfile(osp.join(ROOT, r['config'])) for r in study.runs)
    factors = [r['factors'] for r in study.runs]
    # (a) both inits x 1x/2x/4x, (c) both inits x 20/50/100%, (b) 5 methods x both inits
    assert {(f['init'], f['schedule']) for f in factors if f.get('labels') == '100%'} == \
        {(i, s) for i in ('scratch', 'in1k') for s in ('1x', '2x', '4x')}
    assert {(f['init'], f['labels']) for f in factors if f.get('schedule') == '2x'} == \
        {(i, p) for i in ('scratch', 'in1k') for p in ('20%', '50%', '100%')}
    assert {(f['init'], f['method']) for f in factors if f.get('labels') == '50%'} == \
        {(i, m) for i in ('scratch', 'in1k')
         for m in ('supervised S1', 'supervised S4', 'student S1', 'student S4',
                   'student S1, half batch')}
    for run in study.runs:  # the fair student (8 human + 8 pseudo) and the half-batch ablation
        if 'teacher' in run:
            half = run['factors']['method'].endswith('half batch')
            assert ('_1xb8-1x-s1_' if half else '_1xb16-1x-s1_') in run['config']


def test_coco128_study_grid_is_complete():
    study = load_study(osp.join(ROOT, COCO128_STUDY))
    methods = ('supervised S1', 'student S1', 'supervised S4', 'student S4')
    cells = {(r['factors']['init'], r['factors']['method']) for r in study.runs}
    assert cells == {(i, m) for i in ('scratch', 'in1k') for m in methods} | \
        {('in1k', 'student S1 thr0.3')}
    assert {r.get('score_thr', 0.5) for r in study.runs if 'teacher' in r} == {0.5, 0.3}
    for run in study.runs:  # students learn from their own init's S1 teacher
        if 'teacher' in run:
            assert run['teacher'] == f"{run['factors']['init']}-2x-sup-s1"
            assert 'nst_' in run['config'] and run['factors']['init'] in run['config']


@pytest.mark.parametrize('study_path', [BCCD_STUDY, COCO128_STUDY])
def test_study_options_name_keys_their_configs_have(study_path):
    study = load_study(osp.join(ROOT, study_path))
    for run in study.runs:
        assert osp.isfile(osp.join(ROOT, run['config'])), run['config']
        cfg = Config.fromfile(osp.join(ROOT, run['config']))
        for key in run.get('options') or {}:
            _get(cfg, key)


def _get(cfg, key):
    obj = cfg
    for part in key.split('.'):
        obj = obj[int(part)] if part.isdigit() else obj[part]
    return obj


def _tiny_study(path, data):
    sup = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py'
    nst = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
    path.write_text(f'''
variables = dict(data={data!r})
seeds = [0]
_data = {{'val_dataloader.dataset.data_root': '{{data}}/',
          'val_evaluator.ann_file': '{{data}}/annotations/instances_val.json',
          'train_cfg.base_iters': 6, 'train_cfg.multiplier': 1, 'train_cfg.warmup_iters': 0,
          'train_cfg.val_interval': 45000, 'train_dataloader.batch_size': 4}}
runs = [
    dict(name='teacher', config={sup!r}, factors=dict(init='scratch', method='supervised'),
         options=dict(_data, **{{'train_dataloader.dataset.data_root': '{{data}}/',
                                 'model.test_cfg.score_thr': 0.0}})),
    dict(name='student', config={nst!r}, teacher='teacher',
         factors=dict(init='scratch', method='student'),
         unlabeled=dict(ann_file='{{data}}/annotations/instances_train_unlabeled.json',
                        img_prefix='{{data}}/unlabeled/'),
         score_thr=0.0,
         options=dict(_data, **{{'train_dataloader.dataset.human.data_root': '{{data}}/',
                                 'train_dataloader.dataset.pseudo.data_root': '{{data}}/',
                                 'train_dataloader.sampler.batch_size': 4,
                                 'model.detector.test_cfg.score_thr': 0.0}})),
]
tables = [dict(title='tiny', rows='init', cols='method')]
figures = [dict(kind='curves', file='curves.png', runs=dict(teacher='T', student='S')),
           dict(kind='table', table=0, file='table.png')]
''')


def test_tiny_study_trains_labels_reports_and_skips_done_runs(tmp_path, demo_data):
    study, work = tmp_path / 'tiny.py', str(tmp_path / 'work')
    _tiny_study(study, demo_data)
    run_tool(['tools/run_study.py', str(study), '--work-dir', work])
    results = {n: json.load(open(osp.join(work, n, 'seed0', 'result.json')))
               for n in ('teacher', 'student')}
    pseudo = json.load(open(osp.join(work, 'teacher', 'seed0',
                                     'pseudo_instances_train_unlabeled_thr0.0.json')))
    assert pseudo['annotations'], 'the teacher labelled the unlabelled images'
    report = open(osp.join(work, 'results.md')).read()
    assert (f"| teacher | 0 | pseudo_instances_train_unlabeled_thr0.0.json | "
            f"{len(pseudo['images'])} | {len(pseudo['annotations'])} |") in report
    for name, r in results.items():  # the table holds the runs' own numbers
        assert f'{r["final"]["coco/bbox_mAP"] * 100:.1f}' in report.split('**Every run**')[0]
        assert r['final']['iter'] == 6
    for png in ('curves.png', 'table.png'):
        assert os.path.getsize(osp.join(work, 'figures', png)) > 1000
    stamp = os.path.getmtime(osp.join(work, 'student', 'seed0', 'result.json'))
    proc = run_tool(['tools/run_study.py', str(study), '--work-dir', work])
    assert 'tools/train.py' not in proc.stdout  # done runs are not trained again
    assert os.path.getmtime(osp.join(work, 'student', 'seed0', 'result.json')) == stamp


SEG_TEACHER = ('configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_'
               'demo-voc-lab50.py')
SEG_STUDENT = ('configs/demo/nst_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i-s1_'
               'demo-voc-lab50.py')


def test_tiny_segmentation_study(tmp_path, demo_data):
    """A VOC-style study: the teacher's pseudo masks (a folder) feed the student,
    the table reads mIoU (mmseg reports percent: not scaled again)."""
    study, work = tmp_path / 'seg.py', str(tmp_path / 'work')
    study.write_text(f'''
variables = dict(data={demo_data!r})
_short = {{'train_cfg.base_iters': 4, 'train_cfg.multiplier': 1, 'train_cfg.warmup_iters': 0,
           'train_cfg.val_interval': 45000, 'val_dataloader.dataset.data_root': '{{data}}/voc/'}}
runs = [
    dict(name='teacher', config={SEG_TEACHER!r}, factors=dict(init='scratch', method='supervised'),
         options=dict(_short, **{{'train_dataloader.dataset.data_root': '{{data}}/voc/'}})),
    dict(name='student', config={SEG_STUDENT!r}, teacher='teacher', score_thr=0.0,
         unlabeled=dict(img_dir='{{data}}/unlabeled'),
         factors=dict(init='scratch', method='student'),
         options=dict(_short, **{{'train_dataloader.dataset.human.data_root': '{{data}}/voc/'}})),
]
tables = [dict(title='tiny seg', rows='init', cols='method', metric='mIoU')]
''')
    run_tool(['tools/run_study.py', str(study), '--work-dir', work],
             fresh=True)  # run_study.py's subprocess smoke test (its stages stay warm)
    masks = osp.join(work, 'teacher', 'seed0', 'pseudo_unlabeled_thr0.0')
    summary = json.load(open(osp.join(masks, 'summary.json')))
    assert summary['images'] == len(os.listdir(osp.join(demo_data, 'unlabeled')))
    assert summary['ignored_share'] == 0.0  # threshold 0: every pixel labelled
    stages = json.load(open(osp.join(work, 'stages.json')))
    assert stages['teacher/seed0/pseudo_unlabeled_thr0.0'] == dict(dir=masks)
    student = json.load(open(osp.join(work, 'student', 'seed0', 'result.json')))
    dumped = open(osp.join(work, 'student', 'seed0', osp.basename(SEG_STUDENT))).read()
    assert masks in dumped  # the student read the teacher's masks
    report = open(osp.join(work, 'results.md')).read()
    miou = student['final']['mIoU']
    assert 0 <= miou <= 100 and '| scratch | ' in report
    assert f'{miou:.1f}' in report.split('**Every run**')[0]
    assert f'| teacher | 0 | pseudo_unlabeled_thr0.0 | {summary["images"]} | - (masks) |' in report
