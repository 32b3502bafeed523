"""Two gloo processes through tools/dist_train.sh, one model family each.

RetinaNet (tests/tools/test_train.py) and the teacher-student
(tests/tools/test_train_teacher_student.py) have theirs. The MobileNetV2
detector runs here in `make test`: it is the family whose unused ``conv2``
failed DDP at iteration 2. Mask R-CNN, the offline student and DeepLabV3+ are
opt-in (`make test-slow`); tests/test_configs.py checks every distinct model's
gradients cheaply without DDP.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port, logged_scalars

DEMO_CLASSES = "metainfo=dict(classes=('circle', 'square', 'triangle'))"


def _short(iters):
    return (f"train_cfg = dict(base_iters={iters}, multiplier=1, warmup_iters=7500, "
            "val_interval=900000, checkpoint_interval=900000)\n"
            "default_hooks = dict(logger=dict(interval=1))\n"
            "custom_hooks = [dict(type='SyncBNFallbackHook')]\n"
            "max_bad_images = None  # no UnreadableImageHook above\n")


def _coco(data, split):
    return (f"dict(data_root='{data}/', ann_file='annotations/instances_{split}.json', "
            f"data_prefix=dict(img='images/'), {DEMO_CLASSES})")


def _det_eval(data):
    return (f"val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, "
            f"dataset={_coco(data, 'val')})\ntest_dataloader = val_dataloader\n"
            f"val_evaluator = dict(ann_file='{data}/annotations/instances_val.json')\n"
            "test_evaluator = val_evaluator\n")


def _loader(dataset, batch=2, sampler=''):
    return (f"train_dataloader = dict(batch_size={batch}, num_workers=0, "
            f"persistent_workers=False, {sampler}dataset={dataset})\n")


FAMILIES = dict(
    mobilenetv2=('configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
                 lambda d: _loader(_coco(d, 'train')) + _det_eval(d)),
    mask_rcnn=('configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py',
               lambda d: _loader(_coco(d, 'train')) + _det_eval(d)),
    offline_student=(
        'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py',
        lambda d: _loader(f"dict(human=dict(data_root='{d}/'), pseudo=dict(data_root='{d}/', "
                          "ann_file='annotations/instances_train_labeled.json', "
                          "data_prefix=dict(img='images/')))", 4,
                          'sampler=dict(batch_size=4), ') + _det_eval(d)),
    deeplabv3plus=('configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py',
                   lambda d: f"_d = dict(data_root='{d}/voc/')\n" + _loader('_d') +
                   "val_dataloader = dict(dataset=_d)\ntest_dataloader = val_dataloader\n"),
)
OPT_IN = pytest.mark.optin


@pytest.mark.slow
@pytest.mark.parametrize('family', [
    'mobilenetv2',
    pytest.param('mask_rcnn', marks=OPT_IN),
    pytest.param('offline_student', marks=OPT_IN),
    pytest.param('deeplabv3plus', marks=OPT_IN)])
def test_two_gloo_processes(family, demo_data, tmp_path):
    base, data_text = FAMILIES[family]
    child = tmp_path / f'{family}.py'
    child.write_text(f"_base_ = {osp.join(ROOT, base)!r}\n" + _short(3) + data_text(demo_data))
    work = str(tmp_path / 'work')
    env = dict(os.environ, PYTHONPATH=ROOT, PORT=free_port(), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    proc = subprocess.run(['bash', 'tools/dist_train.sh', str(child), '2', '--work-dir', work],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    # both ranks stepped 3 times: DDP's unused-parameter check fires at step 2
    assert osp.isfile(osp.join(work, 'iter_3.pth')), log[-2000:]
    assert 'received no gradient' not in log and 'find_unused_parameters' not in log
    assert 'Distributed training: True' in log, 'not a distributed run'
    losses = [r['loss'] for r in logged_scalars(work) if 'loss' in r]
    assert len(losses) == 3 and all(0 < v < float('inf') for v in losses), losses
