"""StageRunner: one record per stage, skip when recorded, one-line failures."""
import json

import pytest

from projects.selftrain import StageRunner, options_args, student_options
from projects.utils.errors import UserInputError


def test_recorded_stages_are_skipped_and_records_persist(tmp_path, monkeypatch):
    state = tmp_path / 'state.json'
    ran = []
    monkeypatch.setattr(StageRunner, 'run_command', lambda self, cmd, log=None: ran.append(cmd))
    stages = StageRunner(str(state))
    stages.save('teacher', checkpoint='/x/iter_9.pth', config='t.py', work_dir='/x')
    assert stages.train('teacher', 't.py', str(tmp_path / 'teacher')) == '/x/iter_9.pth'
    stages.save('pseudo_round1', file='/x/p.json')
    out = stages.label('pseudo_round1', 'det', 't.py', 'c.pth', dict(img_dir='imgs'),
                       '/y.json', [0.5])
    assert out == '/x/p.json' and ran == []  # nothing ran: both stages were recorded
    assert json.load(open(state)) == StageRunner(str(state)).state
    assert list(json.load(open(state))) == ['teacher', 'pseudo_round1']


def test_two_processes_sharing_the_state_file_keep_both_records(tmp_path):
    # a study run as one process per seed: each saves its own stages
    state = str(tmp_path / 'stages.json')
    first, second = StageRunner(state), StageRunner(state)
    first.save('a/seed0', checkpoint='a0.pth')
    second.save('a/seed1', checkpoint='a1.pth')
    first.save('b/seed0', checkpoint='b0.pth')
    assert json.load(open(state)) == {'a/seed0': dict(checkpoint='a0.pth'),
                                      'a/seed1': dict(checkpoint='a1.pth'),
                                      'b/seed0': dict(checkpoint='b0.pth')}
    assert second.record('a/seed0') == dict(checkpoint='a0.pth')  # read back on save


def test_label_commands_and_seg_needs_one_threshold(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(StageRunner, 'run_command', lambda self, cmd, log=None: ran.append(cmd))
    stages = StageRunner(str(tmp_path / 's.json'), gpus=2)
    stages.label('p', 'det', 't.py', 'c.pth', dict(ann_file='u.json', img_prefix='im/'),
                 str(tmp_path / 'p.json'), [0.3, 0.6], tta=True, options={'a.b': [1, 2]})
    assert ran[0] == ['bash', 'tools/dist_pseudo_label.sh', 't.py', 'c.pth', '2',
                      '--ann-file', 'u.json', '--img-prefix', 'im/', '--out',
                      str(tmp_path / 'p.json'), '--score-thr', '0.3', '0.6', '--tta',
                      '--cfg-options', 'a.b=[1, 2]']
    assert stages.record('p') == dict(file=str(tmp_path / 'p.json'))
    with pytest.raises(UserInputError, match='one threshold'):
        stages.label('m', 'seg', 't.py', 'c.pth', dict(img_dir='im'), 'out', [0.3, 0.6])
    single = StageRunner(str(tmp_path / 's1.json'))
    single.label('a', 'det', 't.py', 'c.pth', dict(img_dir='im'), 'a.json', ['auto'],
                 auto=dict(holdout_ann='lab.json', holdout_prefix='img/', target_precision=0.9))
    assert ran[1][-9:] == ['--out', 'a.json', '--score-thr', 'auto', '--holdout-ann', 'lab.json',
                           '--holdout-prefix', 'img/', '--target-precision', '0.9'][-9:]
    with pytest.raises(UserInputError, match='a: score_thr auto needs a labelled held-out'):
        StageRunner(str(tmp_path / 's2.json')).label('a', 'det', 't.py', 'c.pth',
                                                     dict(img_dir='im'), 'a.json', ['auto'])


def test_a_failing_stage_is_one_error_with_the_log_tail(tmp_path):
    script = tmp_path / 'boom.py'
    script.write_text('import sys\nprint("the reason")\nsys.exit(3)\n')
    stages = StageRunner(str(tmp_path / 's.json'))
    log = str(tmp_path / 'boom.log')
    with pytest.raises(UserInputError, match=r'(?s)boom.py failed \(exit 3; rerun to resume\)'
                       r'.*the reason') as err:
        stages.run_command([str(script)], log)
    assert 'Traceback' not in str(err.value)
    assert stages.state == {}


def test_student_options_point_at_the_labels():
    assert student_options('det', '/p.json', '/imgs') == {
        'train_dataloader.dataset.pseudo.ann_file': '/p.json',
        'train_dataloader.dataset.pseudo.data_prefix.img': '/imgs/'}
    assert student_options('det', '/p.json') == {
        'train_dataloader.dataset.pseudo.ann_file': '/p.json'}
    assert student_options('seg', '/masks', '/imgs') == {
        'train_dataloader.dataset.pseudo.data_prefix.img_path': '/imgs',
        'train_dataloader.dataset.pseudo.data_prefix.seg_map_path': '/masks'}
    assert options_args(['a=1']) == ['--cfg-options', 'a=1'] and options_args({}) == []
    from mmengine.config import DictAction  # what train.py parses them with
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    given = {'a': [1, 2], 'b': (448, 336), 'c': 0.5, 'd': 'x/y.json'}
    assert vars(parser.parse_args(options_args(given)))['cfg_options'] == given


def test_a_broken_state_file_is_one_line(tmp_path):
    state = tmp_path / 'state.json'
    state.write_text('{"teacher": ')  # cut by a full disk, say
    with pytest.raises(UserInputError, match='state.json: not valid JSON .*delete it'):
        StageRunner(str(state))
    state.write_text('[1, 2]')
    with pytest.raises(UserInputError, match='not a stage record'):
        StageRunner(str(state))
