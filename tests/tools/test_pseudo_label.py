"""tools/pseudo_label.py: COCO output, threshold, negatives, masks, two
processes, resume after a kill, unreadable images."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from pycocotools.coco import COCO
from pycocotools import mask as mask_utils

from tests.conftest import DEMO_CONFIG, ROOT, free_port, run_tool

CKPT = 'iter_24.pth'


def _label(trained, img_dir, out, *extra, check=True, fresh=False):
    return run_tool(['tools/pseudo_label.py', DEMO_CONFIG, osp.join(trained, CKPT),
                     '--img-dir', img_dir, '--out', out, '--num-workers', '0', *extra],
                    check=check, fresh=fresh)


@pytest.fixture(scope='module')
def labelled(trained, demo_data, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('pl') / 'pseudo.json')
    proc = _label(trained, osp.join(demo_data, 'unlabeled'), out, '--score-thr', '0.05',
                  fresh=True)  # pseudo_label.py's subprocess smoke test
    return out, proc.stdout


def test_output_is_valid_coco(labelled, demo_data):
    out, stdout = labelled
    coco = COCO(out)
    data = json.load(open(out))
    files = sorted(os.listdir(osp.join(demo_data, 'unlabeled')))
    assert [im['file_name'] for im in data['images']] == files
    assert all((im['width'], im['height']) == (96, 96) for im in data['images'])
    assert [c['name'] for c in data['categories']] == ['circle', 'square', 'triangle']
    assert data['annotations'], 'a 24-iteration teacher should find something at 0.05'
    for a in data['annotations']:
        assert a['score'] >= 0.05
        x, y, w, h = a['bbox']
        assert w > 0 and h > 0 and x >= -1 and y >= -1 and x + w <= 97 and y + h <= 97
        assert a['category_id'] in coco.getCatIds()
    assert not osp.exists(out + '.parts')
    assert f'{len(data["annotations"])} boxes with score >= 0.05' in stdout


def test_negatives_are_kept_and_counted(trained, demo_data, tmp_path):
    out = str(tmp_path / 'p.json')
    proc = _label(trained, osp.join(demo_data, 'unlabeled'), out, '--score-thr', '0.999')
    data = json.load(open(out))
    n = len(os.listdir(osp.join(demo_data, 'unlabeled')))
    assert len(data['images']) == n
    kept = {a['image_id'] for a in data['annotations']}
    negatives = n - len(kept)
    assert data['info']['num_negatives'] == negatives
    assert f'{negatives} negatives' in proc.stdout


def test_ann_file_source_and_tta(trained, demo_data, tmp_path):
    out = str(tmp_path / 'p.json')
    run_tool(['tools/pseudo_label.py', DEMO_CONFIG, osp.join(trained, CKPT),
              '--ann-file', osp.join(demo_data, 'annotations', 'instances_train_unlabeled.json'),
              '--img-prefix', osp.join(demo_data, 'images'), '--out', out, '--tta',
              '--score-thr', '0.05', '--num-workers', '0'])
    data = json.load(open(out))
    src = json.load(open(osp.join(demo_data, 'annotations', 'instances_train_unlabeled.json')))
    assert sorted(im['id'] for im in data['images']) == sorted(im['id'] for im in src['images'])
    assert data['info']['tta'] is True


def test_mask_teacher_writes_rle_masks(demo_data, tmp_path):
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    config = 'configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py'
    cfg = Config.fromfile(osp.join(ROOT, config))
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    classes = [f'c{i}' for i in range(80)]
    ckpt = str(tmp_path / 'mask.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(dataset_meta=dict(classes=classes))),
               ckpt)
    out = str(tmp_path / 'p.json')
    run_tool(['tools/pseudo_label.py', config, ckpt, '--img-dir', osp.join(demo_data, 'unlabeled'),
              '--out', out, '--score-thr', '0.0', '--num-workers', '0', '--cfg-options',
              'model.test_cfg.rcnn.score_thr=0.0'])
    data = json.load(open(out))
    assert data['annotations']
    for a in data['annotations'][:20]:
        m = mask_utils.decode(a['segmentation'])
        img = next(im for im in data['images'] if im['id'] == a['image_id'])
        assert m.shape == (img['height'], img['width'])
        assert a['area'] == float(m.sum())
    assert len(data['categories']) == 80


def test_two_processes_label_every_image_once(trained, demo_data, tmp_path, labelled):
    out = str(tmp_path / 'p.json')
    env = dict(os.environ, PYTHONPATH=ROOT, PORT=free_port(), PYTHON=sys.executable)
    proc = subprocess.run(['bash', 'tools/dist_pseudo_label.sh', DEMO_CONFIG,
                           osp.join(trained, CKPT), '2', '--img-dir',
                           osp.join(demo_data, 'unlabeled'), '--out', out, '--score-thr', '0.05',
                           '--num-workers', '0'], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data, single = json.load(open(out)), json.load(open(labelled[0]))
    ids = [im['id'] for im in data['images']]
    assert len(ids) == len(set(ids)) == len(single['images'])
    # other batch pairings change scores in the 5th decimal, so compare the
    # boxes per image away from the threshold
    def per_image(d):
        counts = {}
        for a in d['annotations']:
            if a['score'] >= 0.06:
                counts[a['image_id']] = counts.get(a['image_id'], 0) + 1
        return counts
    assert per_image(data) == per_image(single)


def test_unreadable_images_are_skipped_and_listed(trained, demo_data, tmp_path):
    img_dir = tmp_path / 'imgs'
    shutil.copytree(osp.join(demo_data, 'unlabeled'), img_dir)
    (img_dir / 'zero.jpg').write_bytes(b'')
    (img_dir / 'text.png').write_text('not an image')
    good = sorted(os.listdir(osp.join(demo_data, 'unlabeled')))[0]
    (img_dir / 'truncated.jpg').write_bytes((img_dir / good).read_bytes()[:200])
    out = str(tmp_path / 'p.json')
    proc = _label(trained, str(img_dir), out, '--max-bad-images', '3')  # 3 bad files tolerated
    data = json.load(open(out))
    skipped = {s['file_name'] for s in data['info']['skipped']}
    assert {'zero.jpg', 'text.png'} <= skipped
    assert 'skipped zero.jpg' in proc.stdout
    names = {im['file_name'] for im in data['images']}
    assert not names & {'zero.jpg', 'text.png'}


@pytest.mark.parametrize('case', ['missing_ckpt', 'other_arch', 'empty_dir'])
def test_bad_input_is_one_line(trained, tmp_path, case):
    img_dir = tmp_path / 'imgs'
    img_dir.mkdir()
    ckpt = osp.join(trained, CKPT)
    if case == 'missing_ckpt':
        ckpt, msg = str(tmp_path / 'nope.pth'), 'checkpoint not found'
    elif case == 'other_arch':
        import torch
        torch.save(dict(state_dict={'conv.weight': torch.zeros(1)}), tmp_path / 'x.pth')
        ckpt, msg = str(tmp_path / 'x.pth'), 'does not fit the model'
    else:
        msg = 'no images'
    if case != 'empty_dir':
        (img_dir / 'a.jpg').write_bytes(b'')
    proc = run_tool(['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--img-dir', str(img_dir),
                     '--out', str(tmp_path / 'o.json')], check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert msg in proc.stderr and 'Traceback' not in proc.stderr


def test_per_class_thresholds_and_auto(labelled, trained, demo_data, tmp_path):
    base = json.load(open(labelled[0]))  # every box >= 0.05
    out = str(tmp_path / 'per_class.json')
    # circle 0.05, square never, triangle 0.3
    proc = _label(trained, osp.join(demo_data, 'unlabeled'), out,
                  '--score-thr', '0.05', '1.0', '0.3')
    data = json.load(open(out))
    expected = [(a['category_id'], a['score']) for a in base['annotations']
                if (a['category_id'] == 1) or (a['category_id'] == 3 and a['score'] >= 0.3)
                or (a['category_id'] == 2 and a['score'] >= 1.0)]
    assert sorted((a['category_id'], a['score']) for a in data['annotations']) == sorted(expected)
    assert data['info']['score_thr'] == [0.05, 1.0, 0.3]
    assert 'score >= circle 0.05, square 1, triangle 0.3' in proc.stdout
    bad = _label(trained, osp.join(demo_data, 'unlabeled'), out, '--score-thr', '0.1', '0.2',
                 check=False)
    assert bad.returncode == 2 and 'one per class (3: circle, square, triangle)' in bad.stderr
    # auto: thresholds chosen on the labelled val split, printed and recorded
    auto = str(tmp_path / 'auto.json')
    proc = _label(trained, osp.join(demo_data, 'unlabeled'), auto, '--score-thr', 'auto',
                  '--holdout-ann', osp.join(demo_data, 'annotations', 'instances_val.json'),
                  '--holdout-prefix', osp.join(demo_data, 'images'), '--target-precision', '0.5')
    info = json.load(open(auto))['info']
    chosen = info['score_thr_auto']['classes']
    assert set(chosen) == {'circle', 'square', 'triangle'}
    assert info['score_thr'] == [chosen[c]['thr'] for c in ('circle', 'square', 'triangle')]
    for c in chosen.values():
        assert not c['reached'] or c['precision'] >= 0.5
    assert '--score-thr auto (precision >= 0.5' in proc.stdout
