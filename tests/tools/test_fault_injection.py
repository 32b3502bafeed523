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

import projects  # noqa: F401  (allow-lists the types mmengine checkpoints hold)
from tests.conftest import DEMO_CONFIG, ROOT, SHORT, demo_cfg_options, run_tool

NST = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
TS = 'configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
SEG = 'configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py'
POINTS = 3  # random kill points per case
RNG = random.Random(20261122)


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
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


@pytest.mark.slow
@pytest.mark.parametrize('case', ['supervised', 'offline', 'online'])
def test_training_resumes_to_the_same_state(case, demo_data, tmp_path):
    config, opts = CONFIGS[case], _train_opts(case, demo_data)
    ref = str(tmp_path / 'ref')
    run_tool(['tools/train.py', config, '--work-dir', ref, '--cfg-options'] + opts)
    expected = _state(osp.join(ref, 'iter_12.pth'))
    interrupted = 0
    for point in range(POINTS):
        work = str(tmp_path / f'killed{point}')
        marker = osp.join(work, 'last_checkpoint')
        proc = _popen(['tools/train.py', config, '--work-dir', work, '--cfg-options'] + opts)
        interrupted += _kill_when(proc, lambda: osp.exists(marker), RNG.uniform(0, 1.5))
        run_tool(['tools/train.py', config, '--work-dir', work, '--resume', '--cfg-options'] + opts)
        got = _state(osp.join(work, 'iter_12.pth'))
        assert got.keys() == expected.keys()
        for k in expected:
            assert torch.equal(got[k], expected[k]), (point, k)
        assert not glob.glob(osp.join(work, '*.part')), 'a partial checkpoint was left behind'
    assert interrupted, 'no run was interrupted: the kill points came too late'
    if case != 'supervised':
        assert {'loss_norm.avg_human', 'loss_norm.avg_pseudo'} <= set(expected)
    if case == 'online':
        assert any(k.startswith('teacher.') for k in expected)


@pytest.mark.slow
def test_pseudo_labelling_resumes_to_the_same_file(trained, demo_data, tmp_path):
    img_dir = osp.join(demo_data, 'unlabeled')
    args = ['tools/pseudo_label.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'), '--img-dir',
            img_dir, '--score-thr', '0.05', '--num-workers', '0', '--batch-size', '1']
    ref = str(tmp_path / 'ref.json')
    run_tool(args + ['--out', ref])
    n = len(os.listdir(img_dir))
    for point in range(POINTS):
        out = str(tmp_path / f'p{point}.json')
        parts, k = out + '.parts', RNG.randint(2, n // 2)

        def labelled():
            return sum(len(open(osp.join(parts, f)).readlines())
                       for f in (os.listdir(parts) if osp.isdir(parts) else [])) >= k
        assert _kill_when(_popen(args + ['--out', out]), labelled, 0)
        assert not osp.exists(out), 'a partial output file was left looking complete'
        run_tool(args + ['--out', out])
        assert json.load(open(out))['annotations'] == json.load(open(ref))['annotations']


@pytest.mark.slow
def test_pseudo_masks_resume_to_the_same_files(demo_data, tmp_path):
    work = str(tmp_path / 'seg')
    run_tool(['tools/train.py', SEG, '--work-dir', work, '--cfg-options',
              f'train_dataloader.dataset.data_root={demo_data}/voc/',
              f'val_dataloader.dataset.data_root={demo_data}/voc/',
              'train_cfg.base_iters=4', 'train_cfg.val_interval=90000'])
    img_dir = osp.join(demo_data, 'unlabeled')
    args = ['tools/pseudo_mask.py', SEG, osp.join(work, 'iter_12.pth'), '--img-dir', img_dir,
            '--scales', '1.0', '--flip']
    ref = str(tmp_path / 'ref')
    run_tool(args + ['--out-dir', ref])
    names = sorted(n for n in os.listdir(ref) if n.endswith('.png'))
    for point in range(POINTS):
        out, k = str(tmp_path / f'm{point}'), RNG.randint(2, len(names) // 2)
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
                                  np.array(Image.open(osp.join(ref, n)))), (point, n)
        ref_summary = json.load(open(osp.join(ref, 'summary.json')))
        got = json.load(open(osp.join(out, 'summary.json')))
        assert got['class_share'] == ref_summary['class_share']
        assert not [n for n in os.listdir(out) if n.endswith('.part')]
