"""tools/self_train.py: teacher -> pseudo labels -> student rounds, resume at
the stage it stopped at, summary table; on demo data and on coco128."""
import glob
import json
import os
import os.path as osp

import pytest
import torch
from pycocotools import mask as mask_utils

import projects.register  # noqa: F401  (allow-lists the types mmengine checkpoints hold)
from projects.compat.torch_load import torch_load_safely
from tests.conftest import ROOT, call_tool, run_tool, shared_data

DEMO = osp.join(ROOT, 'configs/demo')
TEACHER = osp.join(DEMO, 'sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py')
STUDENT = osp.join(DEMO, 'nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')
C128_TEACHER = osp.join(DEMO, 'sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py')
C128_STUDENT = osp.join(
    DEMO, 'nst_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb4-40i-s1_coco128-unlabeled128.py')


def _child(path, base, text):
    """A user's child config: ``_base_`` plus a few lines."""
    with open(path, 'w') as f:
        f.write(f'_base_ = {base!r}\n{text}')
    return str(path)


def _short(iters=12):
    return (f"train_cfg = dict(base_iters={iters}, multiplier=1, warmup_iters=7500, "
            "val_interval=90000, checkpoint_interval=90000)\n"
            "default_hooks = dict(logger=dict(interval=1))\n"
            "custom_hooks = [dict(type='SyncBNFallbackHook'), "
            "dict(type='LearningCurveHook', loss_interval=1)]\n"
            "max_bad_images = None  # no UnreadableImageHook above\n")


def _demo_eval(data):
    ann = f'{data}/annotations/instances_val.json'
    return (f"val_dataloader = dict(batch_size=8, dataset=dict(data_root='{data}/'))\n"
            "test_dataloader = val_dataloader\n"
            f"val_evaluator = dict(ann_file='{ann}')\ntest_evaluator = val_evaluator\n")


@pytest.fixture(scope='module')
def demo_configs(demo_data, tmp_path_factory):
    d = tmp_path_factory.mktemp('cfg')
    teacher = _child(d / 'teacher.py', TEACHER, _short() + _demo_eval(demo_data) +
                     'train_dataloader = dict(batch_size=4, '
                     f"dataset=dict(data_root='{demo_data}/'))\n")
    student = _child(d / 'student.py', STUDENT, _short() + _demo_eval(demo_data) +
                     "train_dataloader = dict(batch_size=4, sampler=dict(batch_size=4), "
                     f"dataset=dict(human=dict(data_root='{demo_data}/')))\n")
    return teacher, student


def _scalars(run_dir):
    """Everything mmengine logged during training, as one string."""
    return ''.join(open(p).read() for p in glob.glob(osp.join(run_dir, '*', 'vis_data',
                                                            'scalars.json')))


def _self_train(teacher, student, work, img_dir, *extra):
    return run_tool(['tools/self_train.py', teacher, student, '--work-dir', work,
                     '--img-dir', img_dir, '--score-thr', '0.05', *extra])


def _mtimes(work):
    return {k: os.stat(osp.join(work, k, 'iter_12.pth')).st_mtime
            for k in ('teacher', 'student_round1')}


def test_rounds_resume_and_summary(demo_configs, demo_data, tmp_path):
    teacher, student = demo_configs
    work = str(tmp_path / 'st')
    unlabeled = osp.join(demo_data, 'unlabeled')
    _self_train(teacher, student, work, unlabeled, '--student-init', 'teacher')
    state = json.load(open(osp.join(work, 'self_train_state.json')))
    assert list(state) == ['teacher', 'pseudo_round1', 'student_round1']
    pseudo = json.load(open(state['pseudo_round1']['file']))
    assert len(pseudo['images']) == len(os.listdir(unlabeled))
    assert all(a['score'] >= 0.05 for a in pseudo['annotations'])
    # the student saw pseudo labels: its log has both losses and the weight
    log = _scalars(osp.join(work, 'student_round1'))
    for key in ('sup_loss_cls', 'unsup_loss_cls', 'L_h', 'L_p', 'avg_L_h', 'avg_L_p',
                'pseudo_weight'):
        assert f'"{key}"' in log, key
    first = _mtimes(work)

    # a second round (the same arguments, more rounds): finished stages are
    # skipped, the student teaches
    proc = _self_train(teacher, student, work, unlabeled, '--rounds', '2',
                       '--student-init', 'teacher')
    assert '[self_train] teacher: done' in proc.stdout
    assert '[self_train] student_round1: done' in proc.stdout
    assert _mtimes(work) == first, 'finished stages must not be redone'
    state = json.load(open(osp.join(work, 'self_train_state.json')))
    assert list(state)[3:] == ['pseudo_round2', 'student_round2']
    round1 = state['student_round1']['checkpoint']
    dumped = open(osp.join(work, 'student_round2', 'student.py')).read()
    assert f"load_from = '{round1}'" in dumped  # --student-init teacher
    summary = open(osp.join(work, 'summary.md')).read().splitlines()
    assert summary[0].startswith('| round | model | coco/bbox_mAP')
    rows = [r.split('|')[1:3] for r in summary[2:]]
    assert [(a.strip(), b.strip()) for a, b in rows] == [
        ('0', 'teacher'), ('1', 'student'), ('2', 'student')]


def test_bad_input_is_one_line(demo_configs, tmp_path):
    teacher, student = demo_configs
    proc = run_tool(['tools/self_train.py', teacher, student, '--work-dir', str(tmp_path),
                     '--img-dir', str(tmp_path), '--teacher-checkpoint', 'nope.pth'],
                    check=False, fresh=True)  # self_train.py's subprocess smoke test
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == 'error: teacher checkpoint not found: nope.pth'
    # checked before the teacher trains: a threshold out of range, a work dir that is an input
    images = tmp_path / 'images'
    images.mkdir()
    for extra, line in ((['--work-dir', str(tmp_path / 'w'), '--score-thr', '1.5'],
                         'error: --score-thr: thresholds must be in [0, 1], got 1.5'),
                        (['--work-dir', str(images)],
                         f'error: --work-dir {images} would overwrite an input of this command '
                         f'({images}); write the output elsewhere')):
        proc = call_tool(['tools/self_train.py', teacher, student, '--img-dir', str(images),
                          *extra], check=False)
        assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1] == line
    assert not (tmp_path / 'w').exists()


@pytest.mark.realdata
def test_coco128_round_with_pseudo_masks(tmp_path):
    coco128, source = shared_data('coco128'), shared_data('coco-unlabeled128')
    # 8 of the 128 unlabelled images (labelling Mask R-CNN masks is most of the cost)
    unlabeled = tmp_path / 'unlabeled'
    unlabeled.mkdir()
    for name in sorted(os.listdir(source))[:8]:
        os.symlink(osp.join(source, name), unlabeled / name)
    ann = f'{coco128}/annotations/instances_train2017.json'
    data = (f"_real = dict(data_root='{coco128}/')\n"
            "val_dataloader = dict(dataset=dict(_real, indices=4))\n"
            f"test_dataloader = val_dataloader\nval_evaluator = dict(ann_file='{ann}')\n"
            "test_evaluator = val_evaluator\n")
    # a 2-iteration teacher scores low: keep its 10 best instances per image
    teacher = _child(tmp_path / 'teacher.py', C128_TEACHER, _short(2) + data +
                     "train_dataloader = dict(dataset=_real)\n"
                     "model = dict(test_cfg=dict(rcnn=dict(score_thr=0.0, max_per_img=10)))\n")
    student = _child(tmp_path / 'student.py', C128_STUDENT, _short(2) + data +
                     "train_dataloader = dict(dataset=dict(human=_real))\n")
    work = str(tmp_path / 'st')
    run_tool(['tools/self_train.py', teacher, student, '--work-dir', work,
              '--img-dir', str(unlabeled), '--score-thr', '0.0'])
    state = json.load(open(osp.join(work, 'self_train_state.json')))
    pseudo = json.load(open(state['pseudo_round1']['file']))
    assert len(pseudo['images']) == 8
    # 10 per image, less the boxes under 1 px once clipped, which pseudo_label.py drops
    dropped = pseudo['info']['num_degenerate_dropped']
    assert len(pseudo['annotations']) + dropped == 8 * 10 and dropped <= 8
    assert all(w >= 1 and h >= 1 for _, _, w, h in (a['bbox'] for a in pseudo['annotations']))
    rle = pseudo['annotations'][0]['segmentation']
    assert mask_utils.decode(rle).shape == (pseudo['images'][0]['height'],
                                            pseudo['images'][0]['width'])
    log = _scalars(osp.join(work, 'student_round1'))
    assert '"unsup_loss_mask"' in log and '"sup_loss_mask"' in log
    ckpt = torch_load_safely(state['student_round1']['checkpoint'], map_location='cpu')
    assert ckpt['meta']['iter'] == 2
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values())


SEG_TEACHER = osp.join(
    DEMO, 'sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py')
SEG_STUDENT = osp.join(
    DEMO, 'nst_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i-s1_demo-voc-lab50.py')


def _seg_round(tmp_path, data, img_dir, iters=6, teacher_extra='', student_extra=''):
    """Teacher -> pseudo masks -> student; ``data`` is the text of a dataset
    dict (data_root, ann_file, ...) used for training and evaluation."""
    common = _short(iters) + f"_d = dict({data})\n" + \
        "val_dataloader = dict(dataset=_d)\ntest_dataloader = val_dataloader\n"
    teacher = _child(tmp_path / 'seg_teacher.py', SEG_TEACHER, common + teacher_extra +
                     "train_dataloader = dict(dataset=_d)\n")
    student = _child(tmp_path / 'seg_student.py', SEG_STUDENT, common + student_extra +
                     "train_dataloader = dict(dataset=dict(human=_d))\n")
    work = str(tmp_path / 'st')
    run_tool(['tools/self_train.py', teacher, student, '--work-dir', work, '--img-dir', img_dir])
    return work, json.load(open(osp.join(work, 'self_train_state.json')))


def test_segmentation_round(demo_data, tmp_path):
    unlabeled = osp.join(demo_data, 'unlabeled')
    work, state = _seg_round(tmp_path, f"data_root='{demo_data}/voc/'", unlabeled)
    assert list(state) == ['teacher', 'pseudo_round1', 'student_round1']
    masks = [n for n in os.listdir(state['pseudo_round1']['dir']) if n.endswith('.png')]
    assert len(masks) == len(os.listdir(unlabeled))
    log = _scalars(osp.join(work, 'student_round1'))
    assert '"sup_decode.loss_ce"' in log and '"unsup_decode.loss_ce"' in log
    summary = open(osp.join(work, 'summary.md')).read()
    assert summary.startswith('| round | model | mIoU |') and '| 1 | student |' in summary


@pytest.mark.realdata
def test_segmentation_round_on_real_voc(tmp_path):
    voc = shared_data('voc-seg-mini')
    classes = tuple(open(osp.join(voc, 'class_names.txt')).read().splitlines())
    assert len(classes) == 21
    # all 3 images: labelled for the teacher, and again as the unlabelled folder
    from mmseg.datasets import PascalVOCDataset
    palette = [list(c) for c in PascalVOCDataset.METAINFO['palette']]
    data = f"data_root='{voc}/', ann_file='', metainfo=dict(classes={classes}, palette={palette})"
    work, state = _seg_round(
        tmp_path, data, osp.join(voc, 'JPEGImages'), iters=2,
        teacher_extra="model = dict(decode_head=dict(num_classes=21))\n",
        student_extra="model = dict(segmentor=dict(decode_head=dict(num_classes=21)))\n")
    summary = json.load(open(osp.join(state['pseudo_round1']['dir'], 'summary.json')))
    assert summary['images'] == 3 and len(summary['class_share']) == 21
    assert '"unsup_decode.loss_ce"' in _scalars(osp.join(work, 'student_round1'))
