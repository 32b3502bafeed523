"""SIGKILL at random points, then resume: the final weights, the EMA
teacher, the loss-normalization averages and the output files equal those
of an uninterrupted run (deterministic CPU), and no partial file is left
looking complete. (a) supervised scratch training, (b) offline student,
(c) online teacher-student, (d) pseudo-labelling, (e) pseudo-mask generation."""
import glob
import json
import os
import os.path as osp
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from PIL import Image

import projects.register  # noqa: F401  (allow-lists the types mmengine checkpoints hold)
from projects.compat.torch_load import torch_load_safely
from tests.conftest import DEMO_CONFIG, ROOT, SEG_CONFIG, SHORT, demo_cfg_options, run_tool

NST = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
TS = 'configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
# random kill points per case: the first runs in `make test`, the others in the
# opt-in `make test-slow` (RUN_OPTIN=1)
POINTS = [0] + [pytest.param(p, marks=pytest.mark.optin) for p in (1, 2)]
SEED = 20261122


def _rng(case, point):
    """The kill point's own random draw (the same whichever points run)."""
    return random.Random(f'{SEED}-{case}-{point}')


def _train_opts(case, data):
    # 12 iterations, a checkpoint every 3
    short = dict(SHORT, **{'train_cfg.base_iters': 12, 'train_cfg.checkpoint_interval': 22500,
                           'train_dataloader.batch_size': 4})
    if case == 'supervised':
        return demo_cfg_options(data, **short)
    short = {k: v for k, v in short.items() if not k.startswith('custom_hooks')}
    short['train_dataloader.sampler.batch_size'] = 4
    opts = [o for o in demo_cfg_options(data, **short)
            if not o.startswith('train_dataloader.dataset')]
    opts += [f'train_dataloader.dataset.human.data_root={data}/',
             f'train_dataloader.dataset.pseudo.data_root={data}/']
    if case == 'offline':  # the labelled json stands in for a pseudo-label file
        opts += ['train_dataloader.dataset.pseudo.ann_file='
                 'annotations/instances_train_labeled.json',
                 'train_dataloader.dataset.pseudo.data_prefix.img=images/']
    else:
        opts += ['model.semi_train_cfg.score_thr=0.05']
    return opts


CONFIGS = dict(supervised=DEMO_CONFIG, offline=NST, online=TS)


def _popen(args):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    return subprocess.Popen([sys.executable] + args, cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(proc, ready, extra, timeout=600):
    """SIGKILL ``proc`` ``extra`` seconds after ``ready()`` holds; returns
    whether it was still running (i.e. really interrupted)."""
    deadline = time.time() + timeout
    while not ready() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(extra)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def _state(path):
    return torch_load_safely(path, map_location='cpu')['state_dict']


@pytest.fixture(scope='module')
def references(tmp_path_factory, demo_data):
    """The uninterrupted run of each case, trained once per module."""
    runs = {}

    def get(case):
        if case not in runs:
            ref = str(tmp_path_factory.mktemp(f'ref-{case}'))
            run_tool(['tools/train.py', CONFIGS[case], '--work-dir', ref, '--cfg-options']
                     + _train_opts(case, demo_data))
            runs[case] = _state(osp.join(ref, 'iter_12.pth'))
        return runs[case]
    return get


@pytest.mark.slow
@pytest.mark.parametrize('point', POINTS)
@pytest.mark.parametrize('case', ['supervised', 'offline', 'online'])
def test_training_resumes_to_the_same_state(case, point, references, demo_data, tmp_path):
    config, opts = CONFIGS[case], _train_opts(case, demo_data)
    expected = references(case)
    work = str(tmp_path / 'killed')
    marker = osp.join(work, 'last_checkpoint')  # written after a checkpoint is complete
    proc = _popen(['tools/train.py', config, '--work-dir', work, '--cfg-options'] + opts)
    # killed within 1 s of the first checkpoint (iteration 3 of 12): before the end
    assert _kill_when(proc, lambda: osp.exists(marker), _rng(case, point).uniform(0, 1.0)), \
        'the run finished before the kill'
    assert osp.exists(marker) and not osp.exists(osp.join(work, 'iter_12.pth'))
    run_tool(['tools/train.py', config, '--work-dir', work, '--resume', '--cfg-options'] + opts)
    got = _state(osp.join(work, 'iter_12.pth'))
    assert got.keys() == expected.keys()
    for k in expected:
        assert torch.equal(got[k], expected[k]), k
    assert not glob.glob(osp.join(work, '*.part')), 'a partial checkpoint was left behind'
    if case != 'supervised':
        assert {'loss_norm.avg_human', 'loss_norm.avg_pseudo'} <= set(expected)
    if case == 'online':
        assert any(k.startswith('teacher.') for k in expected)


@pytest.fixture(scope='module')
def label_reference(tmp_path_factory, trained, demo_data):
    """pseudo_label.py's arguments and its uninterrupted output."""
    args = ['tools/pseudo_label.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'), '--img-dir',
            osp.join(demo_data, 'unlabeled'), '--score-thr', '0.05', '--num-workers', '0',
            '--batch-size', '1']
    ref = str(tmp_path_factory.mktemp('labels') / 'ref.json')
    run_tool(args + ['--out', ref])
    return args, json.load(open(ref))


@pytest.mark.slow
@pytest.mark.parametrize('point', POINTS)
def test_pseudo_labelling_resumes_to_the_same_file(point, label_reference, demo_data, tmp_path):
    args, ref = label_reference
    n = len(os.listdir(osp.join(demo_data, 'unlabeled')))
    out = str(tmp_path / 'p.json')
    parts, k = out + '.parts', _rng('labels', point).randint(2, n // 2)

    def labelled():
        return sum(len(open(osp.join(parts, f)).readlines())
                   for f in (os.listdir(parts) if osp.isdir(parts) else [])) >= k
    assert _kill_when(_popen(args + ['--out', out]), labelled, 0)
    assert not osp.exists(out), 'a partial output file was left looking complete'
    resumed = run_tool(args + ['--out', out])
    assert 'resuming:' in resumed.stdout
    got = json.load(open(out))
    assert got['annotations'] == ref['annotations'] and got['images'] == ref['images']
    assert not osp.exists(parts), 'the part files outlived the merge'


@pytest.fixture(scope='module')
def mask_reference(tmp_path_factory, seg_teacher, demo_data):
    """pseudo_mask.py's arguments and its uninterrupted output folder."""
    args = ['tools/pseudo_mask.py', SEG_CONFIG, seg_teacher, '--img-dir',
            osp.join(demo_data, 'unlabeled'), '--scales', '1.0', '--flip']
    ref = str(tmp_path_factory.mktemp('masks') / 'ref')
    run_tool(args + ['--out-dir', ref])
    return args, ref


@pytest.mark.slow
@pytest.mark.parametrize('point', POINTS)
def test_pseudo_masks_resume_to_the_same_files(point, mask_reference, tmp_path):
    args, ref = mask_reference
    names = sorted(n for n in os.listdir(ref) if n.endswith('.png'))
    out, k = str(tmp_path / 'm'), _rng('masks', point).randint(2, len(names) // 2)
    done = lambda: osp.isdir(out) and len(os.listdir(out)) >= k  # noqa: E731
    assert _kill_when(_popen(args + ['--out-dir', out]), done, 0)
    assert not osp.exists(osp.join(out, 'summary.json'))
    for n in os.listdir(out):  # whatever looks like a mask is a whole one
        if n.endswith('.png'):
            Image.open(osp.join(out, n)).load()
    run_tool(args + ['--out-dir', out])
    assert sorted(n for n in os.listdir(out) if n.endswith('.png')) == names
    for n in names:
        assert np.array_equal(np.array(Image.open(osp.join(out, n))),
                              np.array(Image.open(osp.join(ref, n)))), n
    ref_summary = json.load(open(osp.join(ref, 'summary.json')))
    got = json.load(open(osp.join(out, 'summary.json')))
    assert got['class_share'] == ref_summary['class_share']
    assert not [n for n in os.listdir(out) if n.endswith('.part')]
