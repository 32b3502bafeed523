"""tools/train.py and tools/test.py end to end on generated data (CPU)."""
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from projects.compat.torch_load import torch_load_safely

from tests.conftest import (DEMO_CONFIG, ROOT, SHORT, call_tool, demo_cfg_options, free_port,
                            run_tool, train_demo)

def test_lr_drops_and_warmup_from_logs(trained):
    curve = json.load(open(osp.join(trained, 'curve.json')))
    assert curve['schedule']['max_iters'] == 24
    assert curve['schedule']['lr_drops'] == [8, 19]
    lr = {r['iter']: r['lr'] for r in curve['train']}  # lr used at iteration i
    base = 0.01
    warm = curve['schedule']['warmup_iters']  # 7500 * 24/90000 = 2
    assert warm == 2
    assert lr[1] == pytest.approx(base * 0.001)
    assert lr[warm + 1] == pytest.approx(base)
    assert lr[8] == pytest.approx(base)          # last iteration before the drop
    assert lr[9] == pytest.approx(base * 0.1)    # first after the first drop
    assert lr[19] == pytest.approx(base * 0.1)
    assert lr[20] == pytest.approx(base * 0.01)  # after the second drop
    assert lr[24] == pytest.approx(base * 0.01)


def test_curve_json_and_plot(trained):
    curve = json.load(open(osp.join(trained, 'curve.json')))
    its = [r['iter'] for r in curve['val']]
    assert its == [12, 24]  # val_interval 45000 * 24/90000 = 12
    assert all('coco/bbox_mAP' in r for r in curve['val'])
    png = osp.join(trained, 'learning_curve.png')
    assert osp.getsize(png) > 1000
    assert open(png, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
    assert osp.isfile(osp.join(trained, 'iter_24.pth'))


@pytest.fixture(scope='module')
def plain_test(trained, demo_data, tmp_path_factory):
    """tools/test.py on the demo teacher: its log and its dumped predictions."""
    import pickle
    work = tmp_path_factory.mktemp('test')
    out = str(work / 'res.pkl')
    proc = run_tool(['tools/test.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'),
                     '--work-dir', str(work), '--out', out, '--cfg-options']
                    + demo_cfg_options(demo_data), fresh=True)  # test.py's smoke test
    return proc.stdout + proc.stderr, pickle.load(open(out, 'rb'))


def _bbox_map(log):
    return float(re.search(r'coco/bbox_mAP: ([\d.]+)', log).group(1))


def test_test_py_evaluates_and_dumps(plain_test):
    log, results = plain_test
    assert 0.0 <= _bbox_map(log) <= 1.0
    assert len(results) == 10  # 48 scenes, 20% val
    assert all(len(r['pred_instances']['bboxes']) == len(r['pred_instances']['scores'])
               for r in results)


def test_test_py_tta(trained, demo_data, plain_test, tmp_path):
    import pickle
    out = str(tmp_path / 'tta.pkl')
    proc = run_tool(['tools/test.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'),
                     '--work-dir', str(tmp_path), '--tta', '--out', out, '--cfg-options']
                    + demo_cfg_options(demo_data))
    assert 0.0 <= _bbox_map(proc.stdout + proc.stderr) <= 1.0
    tta, plain = pickle.load(open(out, 'rb')), plain_test[1]
    assert [r['img_id'] for r in tta] == [r['img_id'] for r in plain]
    # flips and scales merged: not the plain predictions
    assert any(t['pred_instances']['bboxes'].shape != p['pred_instances']['bboxes'].shape or
               not torch.equal(t['pred_instances']['bboxes'], p['pred_instances']['bboxes'])
               for t, p in zip(tta, plain))


def test_analysis_tools(trained, tmp_path):
    proc = run_tool(['tools/analysis_tools/results_table.py', trained], fresh=True)
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith('| run | schedule | iter | coco/bbox_mAP')
    assert lines[2].split('|')[3].strip() == '24'
    out = str(tmp_path / 'fig.png')
    run_tool(['tools/analysis_tools/plot_curves.py', trained, trained, '--labels', 'a', 'b',
              '--out', out], fresh=True)
    assert osp.getsize(out) > 1000


def test_missing_config_and_checkpoint_are_one_line_errors(tmp_path):
    proc = call_tool(['tools/train.py', 'configs/nope.py'], check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == 'error: config file not found: configs/nope.py'
    proc = call_tool(['tools/test.py', DEMO_CONFIG, str(tmp_path / 'missing.pth')], check=False)
    assert proc.returncode == 2 and 'checkpoint not found' in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_a_tool_prints_only_its_error_line(tmp_path):
    """Issue #35 item 6: no pkg_resources warning (it came three times) before the
    one error line, in a fresh interpreter with warnings on as Python's default."""
    missing = str(tmp_path / 'missing.pth')
    proc = run_tool(['tools/test.py', DEMO_CONFIG, missing], check=False, fresh=True)
    assert proc.returncode == 2
    assert (proc.stdout + proc.stderr).strip() == f'error: checkpoint not found: {missing}'


def _weights(path):
    return torch_load_safely(path, map_location='cpu')['state_dict']


def test_resume_skips_a_corrupt_newest_checkpoint(trained, tmp_path, demo_data):
    """A half-written iter_24.pth (a full disk, a cut copy): --resume takes
    iter_18, says why it skipped 24 and keeps the file, and ends where an
    uninterrupted run ends (determinism on)."""
    import shutil
    work = str(tmp_path / 'work')
    shutil.copytree(trained, work)
    good = open(osp.join(work, 'iter_24.pth'), 'rb').read()
    with open(osp.join(work, 'iter_24.pth'), 'wb') as f:
        f.write(good[:len(good) // 2])
    proc = train_demo(work, demo_data, extra=['--resume'])
    log = proc.stdout + proc.stderr
    assert 'skipped iter_24.pth (kept on disk): ' in log and 'truncated or damaged' in log
    assert '--resume: resuming from iter_18.pth' in log
    assert 'resumed epoch: 0, iter: 18' in log
    a, b = _weights(osp.join(trained, 'iter_24.pth')), _weights(osp.join(work, 'iter_24.pth'))
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_resume_with_no_loadable_checkpoint_is_one_line(tmp_path, demo_data):
    work = tmp_path / 'work'
    work.mkdir()
    for i in (6, 12):
        (work / f'iter_{i}.pth').write_bytes(b'')
    proc = train_demo(str(work), demo_data, extra=['--resume'], check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --resume: none of the 2 checkpoints in {work} loads (newest: {work}/iter_12.pth '
        'is empty (0 bytes): not a checkpoint); nothing was deleted')
    assert sorted(os.listdir(work)) == ['iter_12.pth', 'iter_6.pth']


@pytest.mark.slow
def test_dist_train_two_cpu_processes(tmp_path, demo_data):
    work = str(tmp_path / 'dist')
    opts = demo_cfg_options(demo_data, **dict(SHORT, **{'train_cfg.base_iters': 6}))
    env = dict(os.environ, PYTHONPATH=ROOT, PORT=free_port(), PYTHON=sys.executable)
    proc = subprocess.run(['bash', 'tools/dist_train.sh', DEMO_CONFIG, '2', '--work-dir', work,
                           '--cfg-options'] + opts, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    log = proc.stdout + proc.stderr
    assert 'world_size: 2' in log or "'world_size': 2" in log or \
        'Distributed launcher: pytorch' in log
    assert osp.isfile(osp.join(work, 'iter_6.pth'))


def test_multi_source_sampler_with_a_batch_sampler_is_a_one_line_error(tmp_path):
    # the coco128 student once inherited mmdet's AspectRatioBatchSampler: batches
    # regrouped by aspect ratio could hold no pseudo image, and training crashed
    # 50 iterations in inside mmdet's data preprocessor
    student = osp.join(ROOT, 'configs/coco128/'
                       'nst_mask-rcnn_mobilenetv2-in1k_fpn_bn_1xb4-1x-s1_coco128-4cls-unlabeled128.py')
    child = tmp_path / 'child.py'
    child.write_text(f"_base_ = {student!r}\n"
                     'train_dataloader = dict(\n'
                     "    batch_sampler=dict(_delete_=True, type='AspectRatioBatchSampler'))\n")
    proc = call_tool(['tools/train.py', str(child)], check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        'error: train_dataloader.batch_sampler=AspectRatioBatchSampler would regroup '
        "MultiSourceSampler's half/half batches; set train_dataloader.batch_sampler=None")
    # the committed student config passes the check
    from mmengine.config import Config

    from tools.lib.data_check import check_train_sampler
    check_train_sampler(Config.fromfile(student))


def test_test_py_on_a_checkpoint_reproduces_its_validation_with_precise_bn(tmp_path, demo_data):
    """PreciseBN runs before the checkpoint of the same iteration: tools/test.py on
    iter_24.pth gives exactly the metrics the validation at iteration 24 logged."""
    from tests.conftest import logged_scalars
    child = tmp_path / 'bn_precise.py'
    child.write_text(f'_base_ = {osp.join(ROOT, DEMO_CONFIG)!r}\n'
                     "model = dict(backbone=dict(norm_cfg=dict(_delete_=True, type='BN')))\n"
                     "custom_hooks = [*_base_.custom_hooks, dict(type='PreciseBNHook', "
                     'num_iters=3)]\n')
    work = str(tmp_path / 'work')
    run_tool(['tools/train.py', str(child), '--work-dir', work, '--cfg-options']
             + demo_cfg_options(demo_data, **SHORT))
    import glob
    log = open(glob.glob(osp.join(work, '*', '*.log'))[-1]).read()
    assert log.count('PreciseBNHook: recomputed statistics') == 2  # iterations 12 and 24
    val = [r for r in logged_scalars(work) if 'coco/bbox_mAP' in r]
    assert len(val) == 2  # the validations at iterations 12 and 24
    proc = run_tool(['tools/test.py', str(child), osp.join(work, 'iter_24.pth'), '--work-dir',
                     str(tmp_path / 'test'), '--cfg-options'] + demo_cfg_options(demo_data))
    tested = {k: float(v) for k, v in re.findall(r'(coco/bbox_mAP\w*): ([\d.-]+)',
                                                 proc.stdout + proc.stderr)}
    assert len(tested) == 6
    assert tested == {k: val[-1][k] for k in tested}  # exact, on CPU


def _tensorboard_tags(work) -> set:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    [events] = glob.glob(str(work / '*' / 'vis_data' / 'events.out.tfevents.*'))
    return set(EventAccumulator(events).Reload().Tags()['scalars'])


def test_tensorboard_gets_every_logged_scalar(trained, demo_data, tmp_path):
    """Issue #35 item 4: our runtimes log to TensorBoard beside the local files; a
    2-iteration student run's event file holds its loss terms, the loss
    normalisation's weights and the LR; the demo run's, its validation metrics."""
    from pathlib import Path
    assert {'loss', 'lr', 'loss_cls', 'coco/bbox_mAP', 'coco/bbox_mAP_50'} <= \
        _tensorboard_tags(Path(trained))
    nst = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
    opts = [f'train_dataloader.dataset.human.data_root={demo_data}/',
            f'train_dataloader.dataset.pseudo.data_root={demo_data}/',
            'train_dataloader.dataset.pseudo.ann_file=annotations/instances_train_labeled.json',
            'train_dataloader.dataset.pseudo.data_prefix.img=images/',
            'train_dataloader.batch_size=4', 'train_dataloader.sampler.batch_size=4']
    opts += [o for o in demo_cfg_options(demo_data) if not o.startswith('train_dataloader')]
    work = tmp_path / 'w'
    run_tool(['tools/train.py', nst, '--work-dir', str(work), '--cfg-options',
              'train_cfg.base_iters=2', 'train_cfg.multiplier=1', 'train_cfg.val_interval=90000',
              'default_hooks.logger.interval=1'] + opts)
    tags = _tensorboard_tags(work)
    assert {'loss', 'lr', 'sup_loss_cls', 'unsup_loss_cls', 'pseudo_weight', 'L_h', 'L_p',
            'avg_L_h', 'avg_L_p'} <= tags, sorted(tags)
