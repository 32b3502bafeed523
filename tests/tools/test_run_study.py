"""tools/run_study.py: study validation, tables from numbers, a tiny real grid."""
import json
import os
import os.path as osp
import shutil

import pytest
from mmengine.config import Config, ConfigDict

from projects.utils import UserInputError
from projects.utils.io import atomic_write_json
from tools.lib.job_queue import JobQueue
from tools.lib.study_report import (mean_std, pooled_std, publish_blocks, reading,
                                    render_readings, render_results, render_table, table_cells)
from tests.conftest import ROOT, run_tool
from tools import run_study
from tools.run_study import load_study

BCCD_STUDY = 'configs/studies/bccd_pretrain_selftrain.py'
COCO128_STUDY = 'configs/studies/coco128_selftrain_instance.py'
BCCD_SEEDS_STUDY = 'configs/studies/bccd_self_training.py'
NEGATIVES_STUDY = 'configs/studies/demo_negative_pseudo_labels.py'
BCCD_448_STUDY = 'configs/studies/bccd_self_training_448.py'
BCCD_448_GRID_STUDY = 'configs/studies/bccd_self_training_448_grid.py'
BCCD_S4_PROBE_STUDY = 'configs/studies/bccd_s4_448_probe.py'
BCCD_A24_STUDY = 'configs/studies/bccd_self_training_448_a24.py'
BCCD_CONFIG = 'configs/bccd/retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py'


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
    assert '| scratch | 32.0 ± 2.8 (n=2) |' in text and '| in1k | 40.0 (n=1) |' in text
    assert mean_std([])[2] == 0


def test_readings_call_an_effect_only_beyond_twice_the_pooled_std():
    results = ([_result('s', i, ap, init='in1k', method='student') for i, ap in
                enumerate((0.30, 0.32, 0.34))] +
               [_result('b', i, ap, init='in1k', method='supervised') for i, ap in
                enumerate((0.20, 0.21, 0.22))] +
               [_result('r', i, ap, init='scratch', method='supervised') for i, ap in
                enumerate((0.19, 0.23))] +
               [_result('one', 0, 0.5, init='scratch', method='student')])
    table = dict(rows='init', cols='method')
    assert pooled_std((0.32, 0.02, 3), (0.21, 0.01, 3)) == pytest.approx(0.0158114, rel=1e-5)
    assert reading(results, table, dict(row='in1k', a='student', b='supervised')) == (
        'in1k, AP: student vs supervised: 32.0 vs 21.0, difference +11.0 (n=3 and 3), '
        'pooled std 1.6: an effect (beyond 2 x pooled std).')
    # in1k vs scratch, supervised: 21.0 vs 21.0 (std 1.0 and 2.8)
    assert reading(results, table, dict(col='supervised', a='in1k', b='scratch')).endswith(
        'difference +0.0 (n=3 and 2), pooled std 1.8: not an effect (within 2 x pooled std).')
    assert reading(results, table, dict(row='scratch', a='student', b='supervised')).endswith(
        '(n=1 and 2); too few seeds to read.')
    assert reading(results, table, dict(row='in1k', a='x', b='supervised')).endswith(
        'not run yet.')
    # paired: each seed's difference is told after the verdict (seed 2 of 'r' is missing)
    assert reading(results, table, dict(row='in1k', a='student', b='supervised', paired=True)
                   ).endswith('(beyond 2 x pooled std). Same seed, student - supervised: '
                              '+10.0 (seed 0), +11.0 (seed 1), +12.0 (seed 2).')
    assert reading(results, table, dict(col='supervised', a='in1k', b='scratch', paired=True)
                   ).endswith('Same seed, in1k - scratch: +1.0 (seed 0), -2.0 (seed 1).')
    # a list in `where` is any of its values; None is an absent factor
    picked = table_cells(results + [_result('t', 0, 0.9, init='in1k', method='student',
                                            thr='0.3')],
                         dict(rows='init', cols='method', where=dict(thr=['0.5', None])))
    assert picked['in1k']['student'][2] == 3


def test_a_readme_block_gets_the_headline_readings_or_all():
    results = [_result(m, i, ap, init='in1k', method=m) for m, aps in (
        ('student', (0.30, 0.32)), ('supervised', (0.20, 0.21))) for i, ap in enumerate(aps)]
    table = dict(rows='init', cols='method')
    specs = [dict(table=0, row='in1k', a='student', b='supervised'),
             dict(table=0, row='in1k', a='supervised', b='student')]
    study = dict(tables=[table], readings=specs)
    every = render_readings(study, results)
    assert len(every) == 5 and render_readings(study, results, headline=True) == every
    specs[1]['headline'] = True
    short = render_readings(study, results, headline=True)
    assert len(short) == 4 and short[2].startswith('- in1k, AP: supervised vs student')
    assert 'the headline readings' in short[0] and render_readings(study, results) == every


def test_readings_of_a_gap_and_against_a_paper():
    results = [_result(n, i, ap, init=init, method=m) for n, init, m, aps in (
        ('a', 'in1k', 'student', (0.30, 0.32, 0.34)),
        ('b', 'in1k', 'supervised', (0.20, 0.21, 0.22)),
        ('c', 'scratch', 'student', (0.25, 0.27)), ('d', 'scratch', 'supervised', (0.19, 0.23)))
        for i, ap in enumerate(aps)]
    table = dict(rows='init', cols='method')
    # gap in1k - scratch: +6.0 as a student, +0.0 supervised; each gap's pooled std 1.8
    assert reading(results, table, dict(gap=('in1k', 'scratch'), a='student', b='supervised',
                                        expect='lower', paper='P: smaller gap')) == (
        'AP gap in1k - scratch: student vs supervised: +6.0 vs +0.0, change +6.0 (n=2/3 a cell), '
        'std 2.6: an effect (beyond 2 x pooled std). P: smaller gap: **disagrees**.')
    spec = dict(row='in1k', a='student', b='supervised', expect='higher', paper='P: students gain')
    assert reading(results, table, spec).endswith('P: students gain: agrees.')
    assert reading(results, table, dict(col='supervised', a='in1k', b='scratch', expect='higher',
                                        paper='P: in1k ahead')).endswith(
        'not an effect (within 2 x pooled std). P: in1k ahead: not told apart here.')


def test_quality_and_auto_threshold_tables():
    row = dict(thr=0.5, ap=0.4, empty=0.25, classes=dict(
        A=dict(gt=10, kept=8, tp=6, precision=0.75, recall=0.6, ap=0.4),
        B=dict(gt=4, kept=0, tp=0, precision=None, recall=0.0, ap=0.0)))
    row2 = dict(row, empty=0.75, classes=dict(
        A=dict(gt=10, kept=6, tp=6, precision=1.0, recall=0.6, ap=0.5), B=row['classes']['B']))
    quality = [dict(teacher='t', seed=0, classes=['A', 'B'], images=4, rows=[row]),
               dict(teacher='t', seed=1, classes=['A', 'B'], images=4, rows=[row2]),
               dict(teacher='t', seed=0, auto=dict(
                   target_precision=0.8, holdout='x/lab.json', classes=dict(
                       A=dict(thr=0.35, reached=True), B=dict(thr=0.95, reached=False))))]
    text = render_results(dict(tables=[]), 'x', [], [], '.', 'cmd', 'cpu', quality=quality)
    assert '| t | 2 | 0.5 | A | 10 ± 0 | 7 ± 1 | 0.88 ± 0.18 | 0.60 ± 0.00 | 50.0 ± 35.4% |' \
        in text
    assert '| t | 2 | 0.5 | B | 4 ± 0 | 0 ± 0 | - | 0.00 ± 0.00 | 50.0 ± 35.4% |' in text
    assert 'precision >= 0.8 on `lab.json`' in text
    assert '| t | 0 | 0.35 | 0.95 (not reached) |' in text


def test_publish_replaces_only_the_generated_blocks(tmp_path):
    doc = tmp_path / 'results.md'
    doc.write_text('intro\n<!-- run_study:s begin -->\nold\n<!-- run_study:s end -->\nmiddle\n'
                   '<!-- run_study:s:readings begin -->\nold\n<!-- run_study:s:readings end -->\n'
                   'end\n')
    publish_blocks(str(doc), 's', '# Study s\ntable', ['- a reading'])
    assert doc.read_text() == (
        'intro\n<!-- run_study:s begin -->\n### Study s\ntable\n<!-- run_study:s end -->\n'
        'middle\n<!-- run_study:s:readings begin -->\n- a reading\n'
        '<!-- run_study:s:readings end -->\nend\n')
    with pytest.raises(UserInputError, match='has no <!-- run_study:other begin -->'):
        publish_blocks(str(doc), 'other', 'x', [])
    doc.write_text('<!-- run_study:s begin -->\nno end\n')
    with pytest.raises(UserInputError, match='has no "<!-- run_study:s end -->" after it'):
        publish_blocks(str(doc), 's', 'x', [])


def test_quality_report_is_recomputed_for_other_labels_and_refuses_empty_ones(tmp_path):
    cats = [dict(id=1, name='cell')]
    image = dict(id=1, file_name='a.jpg', width=64, height=64)
    box = dict(id=1, image_id=1, category_id=1, bbox=[4, 4, 20, 20], area=400, iscrowd=0)
    (tmp_path / 'raw_pool.json').write_text(json.dumps(dict(
        images=[image], categories=cats, annotations=[dict(box, score=0.9)])))
    (tmp_path / 'gt.json').write_text(json.dumps(dict(images=[image], categories=cats,
                                                      annotations=[box])))
    (tmp_path / 'pool.json').write_text(json.dumps(dict(images=[image], categories=cats,
                                                        annotations=[])))
    source = dict(ann_file='pool.json', img_prefix='x/')

    def report(gt, thresholds):
        study = Config(dict(pseudo_quality=dict(gt=str(tmp_path / gt), thresholds=thresholds)))
        return run_study.quality_report(study, 't', str(tmp_path), source)

    first = report('gt.json', [0.5])
    assert first['rows'][0]['classes']['cell'] == dict(gt=1, kept=1, tp=1, precision=1.0,
                                                       recall=1.0, ap=pytest.approx(1.0),
                                                       size=1.0)
    assert [r['thr'] for r in report('gt.json', [0.5, 0.95])['rows']] == [0.5, 0.95]
    with pytest.raises(UserInputError, match='pool.json holds no box on the 1 pseudo-labelled'):
        report('pool.json', [0.5])  # the unlabelled list itself: no held-back labels
    assert run_study.quality_report(Config(dict(pseudo_quality=dict(gt='gt.json'))), 't',
                                    str(tmp_path / 'none'), source) is None  # not labelled yet


def test_test_quality_labels_each_run_and_scores_its_detections(tmp_path):
    """A run's own detections of a labelled set: one box per ground-truth box,
    1.2x its size about its centre, at score 0.3; every number is known."""
    gt = dict(images=[dict(id=1, file_name='a.jpg', width=100, height=100)],
              categories=[dict(id=1, name='cell')],
              annotations=[dict(id=1, image_id=1, category_id=1, bbox=[10, 10, 20, 20],
                                area=400, iscrowd=0)])
    (tmp_path / 'test.json').write_text(json.dumps(gt))
    calls = []

    class Stages:
        def label(self, key, task, config, ckpt, source, out, score_thr, options=None):
            calls.append((key, task, source, score_thr, options))
            det = dict(gt['annotations'][0], bbox=[8, 8, 24, 24], score=0.3)
            atomic_write_json(dict(gt, annotations=[det]), out)

    run = dict(name='r', config=BCCD_CONFIG, options={'img_scale': (448, 336)})
    study = Config(dict(runs=[run], test_quality=dict(
        ann_file=str(tmp_path / 'test.json'), img_prefix='imgs/', thresholds=[0.5, 0.1])))
    work = str(tmp_path / 'work')
    run_study._test_detections(study, Stages(), run, 0, work)
    assert calls == [('r/seed0/raw_test.json', 'det', dict(ann_file=str(tmp_path / 'test.json'),
                                                         img_prefix='imgs/'),
                      [0.05], {'img_scale': (448, 336)})]
    reports = run_study.detection_quality_reports(study, [dict(name='r', seed=0)], work)
    low, high = reports[0]['rows']  # thresholds sorted
    assert (low['thr'], high['thr']) == (0.1, 0.5)
    assert low['classes']['cell']['size'] == pytest.approx(1.2)
    assert low['classes']['cell']['tp'] == 1 and high['classes']['cell']['size'] is None
    text = render_results(dict(tables=[]), 'x', [], [], '.', 'cmd', 'cpu', detection=reports)
    assert '**Detections of `test.json`, scored per class**' in text
    assert '| r | 1 | 0.1 | cell | 1 | 1 | 1.00 | 1.00 | ' in text and '| 1.20 |' in text
    assert '| r | 1 | 0.5 | cell | 1 | 0 | - | 0.00 | 0.00 | - |' in text
    assert run_study.detection_quality_reports(Config(dict()), [dict(name='r', seed=0)],
                                               work) == []
    with pytest.raises(UserInputError, match='test_quality needs img_prefix'):
        run_study.detection_quality_reports(
            Config(dict(test_quality=dict(ann_file='t.json'))), [], work)


def test_columns_follow_the_table_order_and_empty_tables_say_so():
    results = [_result(f'r{p}', 0, p / 100, init='in1k', labels=f'{p}%') for p in (100, 20, 50)]
    table = dict(rows='init', cols='labels', order=['20%', '50%', '100%'])
    assert '| init \\ labels | 20% | 50% | 100% |' in render_table(results, table)
    assert '| in1k | 20.0 (n=1) | 50.0 (n=1) | 100.0 (n=1) |' in render_table(results, table)
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
    # a train scalar: unscaled; '-' for a run that has none (a teacher's pseudo weight)
    teacher = _result('t', 0, 0.2, init='in1k', method='supervised')
    result['final']['train/pseudo_weight'] = 27434.9
    weights = render_results(dict(tables=[dict(rows='init', cols='method',
                                               metric='train/pseudo_weight')]),
                             'x', [teacher, result], [], '.', 'cmd', 'cpu')
    assert '| t | 0 | init=in1k, method=supervised | - | 0.1 |' in weights
    assert '| s | 0 | init=in1k, method=student | 27434.9 | 0.1 |' in weights
    assert '(train/pseudo_weight; mean' in weights and '| in1k | 27434.9 (n=1) |' in weights


def test_the_report_takes_factors_from_the_study_as_it_is_now(tmp_path):
    study = Config(dict(runs=[dict(name='a', config='x.py', factors=dict(init='in1k', m='new'))],
                        tables=[dict(rows='init', cols='m')]))
    old = _result('a', 0, 0.5, init='in1k', m='old')  # result.json written by an older study
    md = run_study.write_report(study, 's', str(tmp_path), None, [old], 'cmd', 'cpu',
                                planned=[('a', 0), ('a', 1)])
    text = open(md).read()
    assert '| init \\ m | new |' in text and '| in1k | 50.0 (n=1) |' in text
    assert '**Not run** (1 of the study\'s runs have no result): a (seed 1).' in text


def test_runs_without_a_result_are_listed_as_not_run():
    text = render_results(dict(tables=[]), 'x', [], [], '.', 'cmd', 'cpu',
                          missing=[('a', 0), ('a', 2), ('b', 1)])
    assert '**Not run** (3 of the study\'s runs have no result): a (seeds 0, 2); b (seed 1).' \
        in text
    assert 'Not run' not in render_results(dict(tables=[]), 'x', [], [], '.', 'cmd', 'cpu')


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


def test_job_queue_starts_a_student_once_its_teacher_with_that_seed_is_done():
    teacher, student = dict(name='t'), dict(name='s', teacher='t')
    other = dict(name='o', teacher='elsewhere')  # its teacher is not in this queue
    queue = JobQueue([(teacher, 0), (teacher, 1), (student, 0), (student, 1),
                                (other, 0)])
    assert queue.take() == (1, (teacher, 0)) and queue.take() == (2, (teacher, 1))
    assert queue.take() == (3, (other, 0))  # the students wait; the free job goes first
    queue.finish((teacher, 1))
    assert queue.take() == (4, (student, 1))
    queue.finish((teacher, 0))
    assert queue.take() == (5, (student, 0)) and queue.take() is None
    failing = JobQueue([(teacher, 0), (student, 0)])
    failing.finish(failing.take()[1], UserInputError('boom'))
    assert failing.take() is None and str(failing.error) == 'boom'  # nothing more starts


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


def _assert_readings_name_cells(study):
    for spec in study.readings:  # each names two cells of its table
        table = study.tables[spec['table']]
        axis = 'cols' if 'row' in spec or 'gap' in spec else 'rows'
        values = {r['factors'].get(table[axis]) for r in study.runs}
        assert {spec['a'], spec['b']} <= values, spec


def test_bccd_he_et_al_grid_has_three_seeds_per_cell():
    study = load_study(osp.join(ROOT, BCCD_STUDY))
    assert study.seeds == [0, 1, 2] and not any('seeds' in r for r in study.runs)
    factors = [r['factors'] for r in study.runs]
    assert len(factors) == 10 and all(osp.isfile(osp.join(ROOT, r['config'])) for r in study.runs)
    # (a) both inits x 1x/2x/4x, (c) both inits x 20/50/100% at 2x
    assert {(f['init'], f['schedule']) for f in factors if f['labels'] == '100%'} == \
        {(i, s) for i in ('scratch', 'in1k') for s in ('1x', '2x', '4x')}
    assert {(f['init'], f['labels']) for f in factors if f['schedule'] == '2x'} == \
        {(i, p) for i in ('scratch', 'in1k') for p in ('20%', '50%', '100%')}
    assert len({(f['init'], f['setting']) for f in factors}) == 10  # per-class tables: a cell a run
    _assert_readings_name_cells(study)
    # only the 4x runs validate along the way (the curves figure)
    curves = {r['name'] for r in study.runs if 'train_cfg.val_interval' not in r['options']}
    assert curves == {'scratch-4x-lab100', 'in1k-4x-lab100'}
    # the studies built on this one keep their own readings
    assert load_study(osp.join(ROOT, 'configs/studies/bccd_resolution.py')).readings == []


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


def test_bccd_self_training_grid_has_three_seeds_per_cell_and_valid_readings():
    study = load_study(osp.join(ROOT, BCCD_SEEDS_STUDY))
    assert study.seeds == [0, 1, 2] and not any('seeds' in r for r in study.runs)
    cells = {(r['factors']['init'], r['factors']['method'], r['factors'].get('thr'))
             for r in study.runs}
    assert len(cells) == len(study.runs) == 22  # every run its own cell
    strengths = [f'S{s}' for s in range(1, 5)]
    assert {(i, f'supervised {s}', None) for i in ('in1k', 'scratch') for s in strengths} | \
        {(i, f'student {s}', '0.5') for i in ('in1k', 'scratch') for s in strengths} | \
        {('in1k', 'student S1', t) for t in ('0.3', '0.7', 'auto')} | \
        {('in1k', 'student S1, round 2', '0.5')} | \
        {(i, 'student S1, half batch', '0.5') for i in ('in1k', 'scratch')} == cells
    by_name = {r['name']: r for r in study.runs}
    assert by_name['in1k-student-s1-round2']['teacher'] == 'in1k-student-s1'
    # the fair student: 8 human + 8 pseudo; the half-batch ablation: 4 + 4
    for run in study.runs:
        if 'teacher' in run:
            half = run['factors']['method'].endswith('half batch')
            assert ('_1xb8-1x-s1_' if half else '_1xb16-1x-s1_') in run['config']
    _assert_readings_name_cells(study)


def test_negatives_study_students_get_no_box_and_differ_in_the_cap_only():
    study = load_study(osp.join(ROOT, NEGATIVES_STUDY))
    assert study.seeds == [0, 1, 2]
    students = [r for r in study.runs if 'teacher' in r]
    assert len(students) == 2 and all(r['score_thr'] == 1.0 for r in students)  # no box reaches 1
    caps = [(r.get('options') or {}).get('model.loss_norm.max_ratio') for r in students]
    assert caps == [None, 10] and students[0]['config'] == students[1]['config']
    assert study.tables[1]['metric'] == 'train/pseudo_weight'
    _assert_readings_name_cells(study)


def test_448_study_labels_trains_and_tests_at_448_with_small_anchors():
    from projects.utils import load_config
    study = load_study(osp.join(ROOT, BCCD_448_STUDY))
    assert study.seeds == [0, 1, 2] and [r['name'] for r in study.runs] == \
        ['in1k-s1', 'in1k-student-s1']
    teacher, student = study.runs
    assert student['teacher'] == 'in1k-s1' and student['score_thr'] == 0.5
    assert '_1xb16-1x-s1_' in student['config']  # the fair student
    # pseudo_label.py labels with the teacher's test pipeline: it must be at 448x336 too
    for run, model in ((teacher, 'model'), (student, 'model.detector')):
        cfg = load_config(osp.join(ROOT, run['config']), dict(run['options']))
        assert _get(cfg, model).bbox_head.anchor_generator.octave_base_scale == 2
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            text = str(cfg[key])
            assert "'scale': (448, 336)" in text and '(224, 168)' not in text, key
    assert study.pseudo_quality and study.tables[3]['metric'] == 'coco/Platelets_precision'
    _assert_readings_name_cells(study)


def test_448_grid_runs_the_448_pair_and_changes_one_thing_per_new_row():
    base = load_study(osp.join(ROOT, BCCD_448_STUDY))
    study = load_study(osp.join(ROOT, BCCD_448_GRID_STUDY))
    by_name = {r['name']: r for r in study.runs}
    sup, student = base.runs

    def differs(run, ref):
        return {k for k in set(run) | set(ref) if run.get(k) != ref.get(k)} - {'name', 'factors'}

    # the 448 study's two commands, unchanged (the grid adds a figure factor only)
    assert not differs(by_name['in1k-s1'], sup) and not differs(by_name['in1k-student-s1'], student)
    for thr in ('auto', 0.3, 0.7):
        run = by_name[f'in1k-student-s1-thr{thr}']
        assert run['score_thr'] == thr and differs(run, student) == {'score_thr'}, thr
        assert run['factors']['thr'] == str(thr) and 'arm' not in run['factors']
    for s in (2, 3, 4):
        for name, ref in ((f'in1k-s{s}', sup), (f'in1k-student-s{s}', student)):
            run = by_name[name]
            assert differs(run, ref) == {'options'} and run['options'] == \
                dict(ref['options'], strength=f'S{s}'), name
            assert run['factors']['strength'] == f'S{s}' and f'S{s}' in run['factors']['method']
    # every student learns from the S1 teacher of its seed, as at 224, but round 2
    auto = by_name['in1k-student-s1-thrauto']
    round2 = by_name['in1k-student-s1-thrauto-round2']  # the auto student teaches, with auto
    assert round2['teacher'] == auto['name'] and differs(round2, auto) == {'teacher'}
    assert {r['teacher'] for r in study.runs if r.get('teacher') and r is not round2} == \
        {'in1k-s1'}
    assert study.auto_threshold['target_precision'] == 0.8
    assert len(study.runs) == len({r['factors']['method'] for r in study.runs}) == 12
    # two families of four tables (box AP, then each class), each one ``where``
    s1, strengths = study.tables[0:4], study.tables[4:8]
    assert all(t['where'] == {'strength': 'S1'} for t in s1)
    assert all(t['where'] == {'thr': ['0.5', None]} for t in strengths)
    assert [t['metric'] for t in s1] == [t['metric'] for t in strengths]
    assert study.tables[8]['rows'] == 'arm' and study.tables[8]['cols'] == 'strength'
    assert study.tables[9]['metric'] == 'train/pseudo_weight'
    # the paper's claim is read on box AP only, at its threshold 0.5 and `auto` (S1) and
    # at S2-S4; each pair is read once
    paper = [(r['table'], r['a']) for r in study.readings if r.get('paper') is not None]
    assert sorted(paper) == [(0, 'student S1'), (0, 'student S1, auto'), (4, 'student S2'),
                             (4, 'student S3'), (4, 'student S4')]
    pairs = [(r['table'], r['a'], r['b']) for r in study.readings]
    assert len(pairs) == len(set(pairs))
    assert not any(t >= 4 and a == 'student S1' for t, a, _ in pairs)
    assert {r['table'] for r in study.readings if r['headline']} == {0, 4}  # the README's
    _assert_readings_name_cells(study)


def test_s4_probe_crosses_size_and_anchors_around_the_grids_s4_run():
    grid = load_study(osp.join(ROOT, BCCD_448_GRID_STUDY))
    probe = load_study(osp.join(ROOT, BCCD_S4_PROBE_STUDY))
    cells = {(r['factors']['strength'], r['factors']['size'], r['factors']['anchors']):
             r['options'] for r in probe.runs}
    assert probe.seeds == [0] and len(cells) == len(probe.runs) == 7
    assert {k[1:] for k in cells if k[0] == 'S4'} == {
        ('448x336', '32-px'), ('448x336', '24-px'), ('448x336', '16-px'),
        ('224x168', '32-px'), ('224x168', '16-px')}
    assert {k for k in cells if k[0] != 'S4'} == {('S1', '448x336', '24-px'),
                                                  ('S3', '448x336', '24-px')}
    grid_s4 = next(r for r in grid.runs if r['name'] == 'in1k-s4')['options']
    assert cells[('S4', '448x336', '16-px')] == grid_s4  # the grid's S4 command, repeated
    key = 'model.bbox_head.anchor_generator.octave_base_scale'
    for (strength, size, anchors), options in cells.items():
        assert options['strength'] == strength and f'{8 * options[key]}-px' == anchors
        assert 'x'.join(map(str, options['img_scale'])) == size
        # only the three factors differ from the grid's S4 run
        assert {k for k in options if options[k] != grid_s4.get(k)} <= {
            'img_scale', key, 'strength'}


def test_a24_study_changes_only_the_anchors_of_the_grids_runs():
    grid_study = load_study(osp.join(ROOT, BCCD_448_GRID_STUDY))
    grid = {r['name']: r for r in grid_study.runs}
    probe = {r['name']: r for r in load_study(osp.join(ROOT, BCCD_S4_PROBE_STUDY)).runs}
    study = load_study(osp.join(ROOT, BCCD_A24_STUDY))
    in1k = [r for r in study.runs if r['factors']['init'] == 'in1k' and r['name'] in grid]
    names = [r['name'] for r in in1k]
    # every grid run once, the first session's three rows first
    assert sorted(names) == sorted(grid) and len(names) == len(grid) == 12
    assert names[:3] == ['in1k-s1', 'in1k-s3', 'in1k-student-s3']
    for run in in1k:
        ref = grid[run['name']]
        changed = {k for k in set(run['options']) | set(ref['options'])
                   if run['options'].get(k) != ref['options'].get(k)}
        assert len(changed) == 1 and changed.pop().endswith('octave_base_scale'), run['name']
        assert run['options'][next(k for k in run['options'] if 'octave' in k)] == 3
        assert {k: v for k, v in run.items() if k not in ('options', 'factors')} == \
            {k: v for k, v in ref.items() if k not in ('options', 'factors')}
    # seed 0 of the supervised runs: the probe's 24-px commands
    assert study.runs[0]['options'] == probe['s1-448-anchors3']['options']
    assert study.runs[1]['options'] == probe['s3-448-anchors3']['options']
    assert study.runs[2]['teacher'] == 'in1k-s1' and study.runs[2]['score_thr'] == 0.5
    # random init: the 24-px S1 pair and S2 with the scratch configs, nothing else changed
    by_name = {r['name']: r for r in in1k}
    scratch = [r for r in study.runs if r['factors']['init'] == 'scratch']
    assert [r['name'] for r in scratch] == ['scratch-s1', 'scratch-student-s1', 'scratch-s2']
    for run in scratch:
        ref = by_name[run['name'].replace('scratch', 'in1k')]
        assert run['config'] == ref['config'].replace('in1k_fpn_bn', 'scratch_fpn_gn-all')
        assert run['options'] == ref['options'] and run.get('score_thr') == ref.get('score_thr')
        assert run['factors'] == dict(ref['factors'], init='scratch', arm=ref['factors'][
            'arm'].replace('ImageNet init', 'random init'))
    assert scratch[1]['teacher'] == 'scratch-s1'
    # the probe: the S2 student with its pseudo half at S1 and the converse, nothing else changed
    for probe, s, other in zip(study.runs[-2:], (2, 1), (1, 2)):
        ref = by_name[f'in1k-student-s{s}']
        assert probe['options'] == dict(ref['options'], pseudo_strength=f'S{other}')
        assert probe['name'] == f'in1k-student-s{s}-pseudo-s{other}'
        assert probe['config'] == ref['config'] and probe['teacher'] == 'in1k-s1'
        assert 'arm' not in probe['factors'] and probe['factors']['thr'] == '0.5'
        assert probe['factors']['method'] == f'student S{s}, pseudo S{other}'
    assert len(study.runs) == len(in1k) + len(scratch) + 2
    # the strength figure's lines name the init (None: a run off the figure)
    assert {r['factors'].get('arm') for r in study.runs} == {
        None, 'supervised, ImageNet init', 'student, ImageNet init',
        'supervised, random init', 'student, random init'}
    # the grid's tables (retitled) and readings, and random init's
    assert study.readings[:len(grid_study.readings)] == grid_study.readings
    extra = study.readings[len(grid_study.readings):]
    assert [(r['table'], r.get('row'), r['a'], r['b']) for r in extra[:4]] == [
        (t, 'scratch', 'student S1', 'supervised S1') for t in range(4)]
    assert [(r.get('col'), r.get('gap'), r['a']) for r in extra[4:7]] == [
        ('supervised S1', None, 'in1k'), ('supervised S2', None, 'in1k'),
        (None, ('in1k', 'scratch'), 'supervised S2')]
    assert {(r['table'], r['a'], r['b']) for r in extra[7:]} == {
        (t, f'student S{s}, pseudo S{o}', f'{m} S{s}') for t in range(4, 8)
        for s, o in ((2, 1), (1, 2)) for m in ('student', 'supervised')}
    assert extra[0]['paper'] and extra[6]['expect'] == 'lower'
    for mine, theirs in zip(study.tables, grid_study.tables, strict=True):
        assert mine['title'] == theirs['title'] + ' (24-px anchors)'
        assert {k: v for k, v in mine.items() if k != 'title'} == \
            {k: v for k, v in theirs.items() if k != 'title'}
    assert len({f['file'] for f in study.figures + grid_study.figures}) == 4
    _assert_readings_name_cells(study)


@pytest.mark.parametrize('study_path', [BCCD_STUDY, COCO128_STUDY, BCCD_SEEDS_STUDY,
                                        NEGATIVES_STUDY, BCCD_448_STUDY,
                                        BCCD_448_GRID_STUDY, BCCD_S4_PROBE_STUDY,
                                        BCCD_A24_STUDY])
def test_study_options_name_keys_their_configs_have(study_path):
    study = load_study(osp.join(ROOT, study_path))
    for run in study.runs:
        assert osp.isfile(osp.join(ROOT, run['config'])), run['config']
        cfg = Config.fromfile(osp.join(ROOT, run['config']))
        for key in run.get('options') or {}:
            if key in NEW_ARGUMENTS:  # an argument the config leaves at its default
                parent, arg = key.rsplit('.', 1)
                assert arg in NEW_ARGUMENTS[key](_get(cfg, parent)), key
                continue
            _get(cfg, key)


def _init_args(cfg_dict):
    import inspect

    from mmdet.registry import METRICS
    return inspect.signature(METRICS.get(cfg_dict['type']).__init__).parameters


def _loss_norm_args(cfg_dict):
    import inspect

    from projects.models.loss_normalizer import LossNormalizer
    assert cfg_dict['type'] == 'LossNormalizer'
    return inspect.signature(LossNormalizer.__init__).parameters


NEW_ARGUMENTS = {'val_evaluator.classwise': _init_args,
                 'model.loss_norm.max_ratio': _loss_norm_args}


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
                                 'custom_hooks.1.loss_interval': 3,  # LearningCurveHook
                                 'model.detector.test_cfg.score_thr': 0.0}})),
]
runs.append(dict(runs[1], name='student-auto', score_thr='auto',
                 factors=dict(init='scratch', method='student auto')))
auto_threshold = dict(holdout_ann='{{data}}/annotations/instances_train_labeled.json',
                      holdout_prefix='{{data}}/images/', target_precision=0.5)
pseudo_quality = dict(gt='{{data}}/annotations/instances_train.json', thresholds=[0.0, 0.5],
                      score_thr=0.0)
tables = [dict(title='tiny', rows='init', cols='method')]
readings = [dict(table=0, row='scratch', a='student', b='supervised')]
figures = [dict(kind='curves', file='curves.png', runs=dict(teacher='T', student='S')),
           dict(kind='table', table=0, file='table.png')]
''')


def test_tiny_study_trains_labels_reports_and_skips_done_runs(tmp_path, demo_data):
    study, work = tmp_path / 'tiny.py', str(tmp_path / 'work')
    _tiny_study(study, demo_data)
    doc = tmp_path / 'doc.md'
    doc.write_text('# Results\n<!-- run_study:tiny begin -->\n<!-- run_study:tiny end -->\n')
    run_tool(['tools/run_study.py', str(study), '--work-dir', work, '--publish', str(doc)])
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
    # the student's last logged pseudo weight (alpha 1: ratio / 2), none for the teacher
    assert results['student']['final']['train/pseudo_weight'] > 0
    assert not any(k.startswith('train/') for k in results['teacher']['final'])
    for png in ('curves.png', 'table.png'):
        assert os.path.getsize(osp.join(work, 'figures', png)) > 1000
    # the teacher's raw labels of the pool, scored against the pool's true labels
    quality = json.load(open(osp.join(work, 'teacher', 'seed0',
                                      'quality_instances_train_unlabeled.json')))
    assert quality['images'] == len(pseudo['images']) and [r['thr'] for r in quality['rows']] == \
        [0.0, 0.5]
    kept = sum(c['kept'] for c in quality['rows'][0]['classes'].values())
    assert kept == len(pseudo['annotations'])  # both at score >= 0: the same boxes
    assert '**Pseudo-label quality**' in report and '| teacher | 1 | 0 | ' in report
    assert quality['gt'].endswith('instances_train.json')
    auto = json.load(open(osp.join(work, 'teacher', 'seed0',
                                   'pseudo_instances_train_unlabeled_thrauto.json')))
    chosen = auto['info']['score_thr_auto']['classes']
    assert set(chosen) == {c['name'] for c in pseudo['categories']}
    assert f"| teacher | 0 | {chosen[next(iter(chosen))]['thr']:g}" in report
    assert '- scratch, AP: student vs supervised: ' in report  # a reading, n=1: not read
    published = doc.read_text()
    assert published.startswith('# Results\n<!-- run_study:tiny begin -->\n### Study tiny\n')
    assert report.split('**Every run**')[1] in published
    stamp = os.path.getmtime(osp.join(work, 'student', 'seed0', 'result.json'))
    proc = run_tool(['tools/run_study.py', str(study), '--work-dir', work])
    assert 'tools/train.py' not in proc.stdout  # done runs are not trained again
    proc = run_tool(['tools/run_study.py', str(study), '--work-dir', work, '--report-only',
                     '--seeds', '0', '1'])
    assert '3 of 6 runs finished' in proc.stdout and 'tools/train.py' not in proc.stdout
    assert ('**Not run** (3 of the study\'s runs have no result): teacher (seed 1); '
            'student (seed 1); student-auto (seed 1).') in \
        open(osp.join(work, 'results.md')).read()
    assert os.path.getmtime(osp.join(work, 'student', 'seed0', 'result.json')) == stamp
    # the published results outlive the run folders: --report-only re-renders the block
    record = json.load(open(tmp_path / 'study_results' / 'tiny.json'))
    assert {(r['name'], r['seed']) for r in record['results']} == \
        {('teacher', 0), ('student', 0), ('student-auto', 0)}
    shutil.rmtree(work)
    doc.write_text('# Results\n<!-- run_study:tiny begin -->\n<!-- run_study:tiny end -->\n')
    proc = run_tool(['tools/run_study.py', str(study), '--work-dir', work, '--report-only',
                     '--publish', str(doc)])
    assert f'3 results from {tmp_path}/study_results/tiny.json' in proc.stdout
    def without_command(text):  # the command line is the re-rendering one's
        return [line for line in text.splitlines() if 'tools/run_study.py' not in line]
    assert without_command(doc.read_text()) == without_command(published)


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
    assert stages['teacher/seed0/pseudo_unlabeled_thr0.0']['dir'] == masks
    student = json.load(open(osp.join(work, 'student', 'seed0', 'result.json')))
    dumped = open(osp.join(work, 'student', 'seed0', osp.basename(SEG_STUDENT))).read()
    assert masks in dumped  # the student read the teacher's masks
    report = open(osp.join(work, 'results.md')).read()
    miou = student['final']['mIoU']
    assert 0 <= miou <= 100 and '| scratch | ' in report
    assert f'{miou:.1f}' in report.split('**Every run**')[0]
    assert f'| teacher | 0 | pseudo_unlabeled_thr0.0 | {summary["images"]} | - (masks) |' in report


def test_machine_names_the_cpu_model_and_torch_kernel_level(tmp_path):
    from tools.run_study import cpu_model, machine
    info = tmp_path / 'cpuinfo'
    info.write_text('processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t: sse\n'
                    'processor\t: 1\nmodel name\t: Test CPU 9000\n')
    assert cpu_model(str(info)) == 'Test CPU 9000'
    assert cpu_model(str(tmp_path / 'none')) == 'unknown'
    import torch
    assert f'torch kernels {torch.backends.cpu.get_cpu_capability()}' in machine()


def test_inputs_are_checked_before_any_stage_and_resolved_from_the_callers_folder(
        tmp_path, monkeypatch):
    """Issue #38 item 7: a missing config, unlabelled folder or a threshold out of
    range is one line naming the run before the teacher trains; a path relative
    to the caller's folder is made absolute (the stages run from the repository)."""
    from tools.run_study import check_inputs
    (tmp_path / 'mine.py').write_text("_base_ = 'x'\n")
    (tmp_path / 'imgs').mkdir()
    monkeypatch.chdir(tmp_path)
    teacher = dict(name='t', config='configs/demo/' + osp.basename(
        'sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py'))
    student = dict(name='s', config='mine.py', teacher='t', unlabeled=dict(img_dir='imgs'))
    study = ConfigDict(runs=[teacher, student])
    check_inputs(study, 'study.py', list(study.runs))
    assert study.runs[0]['config'] == teacher['config']  # the repository's, kept relative
    assert study.runs[1]['config'] == str(tmp_path / 'mine.py')
    assert study.runs[1]['unlabeled']['img_dir'] == str(tmp_path / 'imgs')
    for change, message in (
            (dict(config='nope.py'), 'study.py: run "s": config not found: nope.py'),
            (dict(score_thr=1.5), r'study.py: run "s": score_thr: thresholds must be in '
                                  r'\[0, 1\], got 1.5'),
            (dict(unlabeled=dict(img_dir='gone')),
             'study.py: run "s": unlabeled img_dir not found: gone')):
        bad = ConfigDict(runs=[teacher, dict(student, **change)])
        with pytest.raises(UserInputError, match=message):
            check_inputs(bad, 'study.py', list(bad.runs))


def test_the_35k_grid_is_one_command_over_lr_weight_decay_and_schedule(tmp_path):
    """Issue #34 item 1: the 35k regime's hyper-parameter grid, runnable with one
    command on 8 GPUs a run (here: its dry run, every command printed)."""
    study = load_study('configs/studies/rethink_35k_grid.py')
    cells = {(r['factors']['init'], r['factors']['lr'], r['factors']['wd'],
              r['factors']['schedule']) for r in study.runs}
    assert len(study.runs) == len(cells) == 24
    assert {c[1] for c in cells} == {'0.02', '0.04', '0.08'}
    assert {c[3] for c in cells} == {'1x (90k)', '2x (180k)'}
    proc = run_tool(['tools/run_study.py', 'configs/studies/rethink_35k_grid.py', '--gpus', '8',
                     '--dry-run', '--work-dir', str(tmp_path / 'w')])
    commands = [line for line in proc.stdout.splitlines() if 'dist_train.sh' in line]
    assert len(set(commands)) == 24
    assert all(' 8 --work-dir ' in c and 'train_cfg.multiplier=' in c for c in commands)


def test_readings_state_their_confounds_and_the_threshold():
    """Issue #34 item 6: a student read against a supervised run that is not its
    teacher (a stronger one taught it) is not an agreement; a difference near the
    2-sigma bound is 'at the threshold'."""
    results = [_result(n, i, ap, init='in1k', method=m) for n, m, aps in (
        ('t', 'supervised S1', (0.40, 0.41, 0.42)), ('b3', 'supervised S3', (0.24, 0.25, 0.26)),
        ('s3', 'student S3', (0.31, 0.32, 0.33)), ('s1', 'student S1', (0.45, 0.46, 0.47)))
        for i, ap in enumerate(aps)]
    teachers = {'t': None, 'b3': None, 's3': 't', 's1': 't'}
    table = dict(rows='init', cols='method')
    spec = dict(row='in1k', a='student S3', b='supervised S3', expect='higher', paper='P')
    assert reading(results, table, spec, teachers).endswith(
        'an effect (beyond 2 x pooled std). P: teacher stronger than baseline (41.0 vs 25.0): '
        'not told apart from distillation.')
    assert reading(results, table, spec).endswith('P: agrees.')  # no teachers known
    taught = dict(spec, a='student S1', b='supervised S1')  # the baseline is the teacher
    assert reading(results, table, taught, teachers).endswith('P: agrees.')
    # +2.0 against 2 x pooled std 2.0 (stds 1.0 and 1.0): at the threshold, not an effect
    near = [_result(n, i, ap, init='in1k', method=m) for n, m, aps in (
        ('x', 'a', (0.21, 0.22, 0.23)), ('y', 'b', (0.19, 0.20, 0.21))) for i, ap in enumerate(aps)]
    assert reading(near, table, dict(row='in1k', a='a', b='b', expect='higher', paper='P')
                   ).endswith('pooled std 1.0: at the threshold (within 10% of 2 x pooled std, '
                              '2.00). P: not told apart here.')
