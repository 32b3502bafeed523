"""Online teacher-student training through the real tools: folder-only
unlabelled data, teacher/ and student/ evaluation, tools/test.py on either,
exact resume (student, EMA teacher, loss-normalization averages), two gloo
processes, and Mask R-CNN pseudo masks on coco128 + coco-unlabeled128."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

import projects.register  # noqa: F401  (allow-lists the types mmengine checkpoints hold)
from projects.compat.torch_load import torch_load_safely
from tests.conftest import ROOT, free_port, logged_scalars, run_tool, shared_data

CONFIG = 'configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'
C128 = 'configs/demo/ts-ema_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb4-40i-s1_coco128-unlabeled128.py'


def _opts(data, iters=4, **extra):
    ann = f'{data}/annotations/instances_val.json'
    opts = {'train_dataloader.dataset.human.data_root': f'{data}/',
            'train_dataloader.dataset.pseudo.data_root': f'{data}/',
            'val_dataloader.dataset.data_root': f'{data}/',
            'test_dataloader.dataset.data_root': f'{data}/',
            'val_evaluator.ann_file': ann, 'test_evaluator.ann_file': ann,
            'train_cfg.base_iters': iters, 'train_cfg.multiplier': 1,
            'train_cfg.checkpoint_interval': 45000, 'train_cfg.val_interval': 90000,
            'train_dataloader.batch_size': 4, 'train_dataloader.sampler.batch_size': 4,
            'default_hooks.logger.interval': 1, 'randomness.deterministic': True,
            # untrained models score low: keep every box, as labels and as results
            'model.semi_train_cfg.score_thr': 0.0, 'model.detector.test_cfg.score_thr': 0.0,
            'model.detector.test_cfg.max_per_img': 20}
    opts.update(extra)
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()]


def _state(path):
    return torch_load_safely(path, map_location='cpu')['state_dict']


@pytest.fixture(scope='module')
def ts_run(demo_data, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('ts'))
    run_tool(['tools/train.py', CONFIG, '--work-dir', work] + _opts(demo_data))
    return work


def test_folder_unlabelled_data_trains_and_both_models_are_evaluated(ts_run):
    rows = logged_scalars(ts_run)
    train = [r for r in rows if 'unsup_loss_cls' in r]
    assert len(train) == 4
    assert any(r['unsup_loss_bbox'] > 0 for r in train), 'pseudo boxes reached the student'
    assert all(k in train[0] for k in ('L_h', 'L_p', 'avg_L_h', 'avg_L_p', 'pseudo_weight'))
    val = [r for r in rows if 'teacher/coco/bbox_mAP' in r]
    assert val and 'student/coco/bbox_mAP' in val[-1]


def test_test_py_evaluates_either(ts_run, demo_data, tmp_path):
    import pickle
    preds = {}
    for predict_on in ('teacher', 'student'):
        out = str(tmp_path / f'{predict_on}.pkl')
        proc = run_tool(['tools/test.py', CONFIG, osp.join(ts_run, 'iter_4.pth'), '--out', out,
                         '--work-dir', str(tmp_path)] +
                        _opts(demo_data, **{'model.semi_test_cfg.predict_on': predict_on}))
        assert re.search(r'coco/bbox_mAP: [\d.]+', proc.stdout + proc.stderr)
        preds[predict_on] = pickle.load(open(out, 'rb'))
    teacher, student = preds['teacher'], preds['student']
    assert len(teacher) == len(student) == 10  # the demo val images
    assert [p['img_id'] for p in teacher] == [p['img_id'] for p in student]
    # the EMA teacher is not the student: their predictions differ
    assert any(t['pred_instances']['bboxes'].shape != s['pred_instances']['bboxes'].shape or
               not torch.equal(t['pred_instances']['bboxes'], s['pred_instances']['bboxes'])
               for t, s in zip(teacher, student))


def test_resume_restores_student_teacher_and_averages(ts_run, demo_data, tmp_path):
    # the 4-iteration run saved iter_2.pth on the way: resume from it elsewhere
    work = str(tmp_path / 'resumed')
    run_tool(['tools/train.py', CONFIG, '--work-dir', work,
              '--resume', osp.join(ts_run, 'iter_2.pth')] + _opts(demo_data))
    a, b = _state(osp.join(ts_run, 'iter_4.pth')), _state(osp.join(work, 'iter_4.pth'))
    assert a.keys() == b.keys()
    assert {'loss_norm.avg_human', 'loss_norm.avg_pseudo'} <= set(a)
    assert any(k.startswith('teacher.') for k in a) and any(k.startswith('student.') for k in a)
    for k in a:
        assert torch.equal(a[k], b[k]), k
    # the EMA teacher moved away from its start and differs from the student
    t = {k[len('teacher.'):]: v for k, v in a.items() if k.startswith('teacher.')}
    assert any(not torch.equal(v, a['student.' + k]) for k, v in t.items())


@pytest.mark.slow
def test_two_gloo_processes(tmp_path, demo_data):
    work = str(tmp_path / 'dist')
    env = dict(os.environ, PYTHONPATH=ROOT, PORT=free_port(), PYTHON=sys.executable)
    proc = subprocess.run(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work] +
                          _opts(demo_data, iters=2, **{'train_dataloader.batch_size': 2,
                                                       'train_dataloader.sampler.batch_size': 2}),
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log, 'not a distributed run'
    train = [r for r in logged_scalars(work) if 'unsup_loss_cls' in r]
    assert [r['iter'] for r in train] == [1, 2]  # rank 0 logs both steps
    assert all(r['loss'] == r['loss'] and r['loss'] > 0 for r in train)  # finite, positive
    state = _state(osp.join(work, 'iter_2.pth'))
    assert {'loss_norm.avg_human', 'loss_norm.avg_pseudo'} <= set(state)
    assert float(state['loss_norm.avg_human']) > 0 and float(state['loss_norm.avg_pseudo']) > 0


@pytest.mark.realdata
def test_coco128_mask_rcnn_pseudo_masks(tmp_path):
    coco128, unlabeled = shared_data('coco128'), shared_data('coco-unlabeled128')
    data = str(tmp_path / 'data')
    os.makedirs(data)
    os.symlink(coco128, osp.join(data, 'coco128'))
    os.symlink(unlabeled, osp.join(data, 'coco-unlabeled128'))
    ann = f'{data}/coco128/annotations/instances_train2017.json'
    work = str(tmp_path / 'work')
    opts = {'train_dataloader.dataset.human.data_root': f'{data}/coco128/',
            'train_dataloader.dataset.pseudo.data_root': f'{data}/coco-unlabeled128/',
            'val_dataloader.dataset.data_root': f'{data}/coco128/',
            'val_dataloader.dataset.indices': 4,
            'val_evaluator.ann_file': ann, 'test_evaluator.ann_file': ann,
            'train_cfg.max_iters': 2, 'default_hooks.logger.interval': 1,
            'model.semi_train_cfg.score_thr': 0.0,
            'model.detector.test_cfg.rcnn.score_thr': 0.0,
            'model.detector.test_cfg.rcnn.max_per_img': 10}
    run_tool(['tools/train.py', C128, '--work-dir', work, '--cfg-options'] +
             [f'{k}={v}' for k, v in opts.items()])
    rows = logged_scalars(work)
    train = [r for r in rows if 'unsup_loss_mask' in r]
    assert len(train) == 2 and all(r['unsup_loss_mask'] > 0 for r in train)
    val = [r for r in rows if 'teacher/coco/segm_mAP' in r]
    assert val and 'student/coco/segm_mAP' in val[-1]
