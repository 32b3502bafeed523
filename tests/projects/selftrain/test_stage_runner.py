"""StageRunner: one record per stage, skip when recorded, one-line failures."""
import json
from pathlib import Path

import pytest

from projects.selftrain import StageRunner, options_args, student_options
from projects.utils.errors import UserInputError


def _fake_tools(monkeypatch):
    """run_command that 'trains' (a checkpoint and its pointer) and records each command."""
    ran = []

    def run(self, cmd, log=None):
        ran.append(cmd)
        if 'train' in cmd[0] and '--work-dir' in cmd:
            work = cmd[cmd.index('--work-dir') + 1]
            (Path(work) / 'iter_9.pth').write_bytes(b'x')
            (Path(work) / 'last_checkpoint').write_text(str(Path(work) / 'iter_9.pth'))
    monkeypatch.setattr(StageRunner, 'run_command', run)
    return ran


def _inputs(tmp_path):
    (tmp_path / 'imgs').mkdir()
    (tmp_path / 'imgs' / 'a.jpg').write_bytes(b'1')
    (tmp_path / 't.py').write_text('x = 1\n')
    (tmp_path / 'teacher').mkdir()
    return str(tmp_path / 't.py'), dict(img_dir=str(tmp_path / 'imgs'))


def test_recorded_stages_are_skipped_and_records_persist(tmp_path, monkeypatch):
    ran = _fake_tools(monkeypatch)
    state = tmp_path / 'state.json'
    config, source = _inputs(tmp_path)
    for _ in range(2):  # the second time, nothing runs: both stages are recorded
        stages = StageRunner(str(state))
        ckpt = stages.train('teacher', config, str(tmp_path / 'teacher'))
        out = stages.label('pseudo_round1', 'det', config, ckpt, source,
                           str(tmp_path / 'p.json'), [0.5])
    assert ckpt == str(tmp_path / 'teacher' / 'iter_9.pth') and out == str(tmp_path / 'p.json')
    assert len(ran) == 2
    assert json.load(open(state)) == StageRunner(str(state)).state
    assert list(json.load(open(state))) == ['teacher', 'pseudo_round1']


def test_a_stage_made_by_other_inputs_is_refused_naming_what_changed(tmp_path, monkeypatch):
    """The three ways a resume mixed two runs: other images, another checkpoint or
    threshold, another config; then --restart starts afresh and keeps the old run."""
    _fake_tools(monkeypatch)
    state = str(tmp_path / 'w' / 'state.json')
    config, source = _inputs(tmp_path)
    stages = StageRunner(state)
    ckpt = stages.train('teacher', config, str(tmp_path / 'w' / 'teacher'))
    stages.label('pseudo', 'det', config, ckpt, source, str(tmp_path / 'p.json'), [0.5])
    (tmp_path / 'imgs' / '0.jpg').write_bytes(b'2')  # an image that sorts first
    with pytest.raises(UserInputError, match=r'\(stage pseudo\) holds the work of another run '
                       r'\(changed: images\); rerun with that run.s arguments .* --restart'):
        StageRunner(state).label('pseudo', 'det', config, ckpt, source, 'p.json', [0.5])
    with pytest.raises(UserInputError, match=r'changed: images, score_thr\)'):
        StageRunner(state).label('pseudo', 'det', config, ckpt, source, 'p.json', [0.3])
    (tmp_path / 't.py').write_text('x = 22\n')  # the config was edited
    with pytest.raises(UserInputError, match=r'\(stage teacher\).*\(changed: config\)'):
        StageRunner(state).train('teacher', config, str(tmp_path / 'w' / 'teacher'))
    fresh = StageRunner(state)
    fresh.restart()
    assert fresh.state == {} and not (tmp_path / 'w' / 'teacher').exists()
    [aside] = [p for p in (tmp_path / 'w').iterdir() if p.name.startswith('previous-')]
    assert (aside / 'state.json').is_file() and (aside / 'teacher' / 'iter_9.pth').is_file()
    assert fresh.train('teacher', config, str(tmp_path / 'w' / 'teacher')).endswith('iter_9.pth')


def test_an_interrupted_training_resumes_only_with_the_same_inputs(tmp_path, monkeypatch):
    ran = _fake_tools(monkeypatch)
    config, _ = _inputs(tmp_path)
    work = tmp_path / 'teacher'
    (work / 'iter_4.pth').write_bytes(b'x')  # a run of an earlier version, killed
    (work / 'last_checkpoint').write_text(str(work / 'iter_4.pth'))
    with pytest.raises(UserInputError, match='recorded no fingerprint .* --restart'):
        StageRunner(str(tmp_path / 's.json')).train('teacher', config, str(work))
    (work / 'stage_fingerprint.json').write_text(json.dumps(
        dict(config=[config, 1, 2], options=[])))  # started with another config
    with pytest.raises(UserInputError, match=r'changed: config\)'):
        StageRunner(str(tmp_path / 's.json')).train('teacher', config, str(work))
    assert ran == []
    (work / 'stage_fingerprint.json').unlink()
    (work / 'last_checkpoint').unlink()
    StageRunner(str(tmp_path / 's.json')).train('teacher', config, str(work),
                                               options=['a=1'])
    assert json.load(open(work / 'stage_fingerprint.json'))['options'] == \
        ['--cfg-options', 'a=1']


def test_a_given_teacher_checkpoint_is_fingerprinted(tmp_path):
    config, _ = _inputs(tmp_path)
    ckpt = tmp_path / 'teacher.pth'
    ckpt.write_bytes(b'1')
    assert StageRunner(str(tmp_path / 's.json')).given('teacher', config, str(ckpt)) == str(ckpt)
    assert StageRunner(str(tmp_path / 's.json')).given('teacher', config, str(ckpt)) == str(ckpt)
    ckpt.write_bytes(b'22')
    with pytest.raises(UserInputError, match=r'changed: checkpoint\)'):
        StageRunner(str(tmp_path / 's.json')).given('teacher', config, str(ckpt))


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
    assert stages.record('p')['file'] == str(tmp_path / 'p.json')
    assert stages.record('p')['fingerprint']['score_thr'] == [0.3, 0.6]
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
