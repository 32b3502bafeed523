"""Unreadable images: training draws another sample, evaluation leaves the image
out of the metric, and every skip is recorded, for every dataset family."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import projects.register  # noqa: F401  (installs the shim, registers our datasets)
from projects.compat.unreadable_images import SkippedSample, mark_evaluation_set
from projects.utils import unreadable_images as record_mod

# config, and images of its training set to corrupt (000000: the first labelled
# image of train and train_labeled; 000019: the first unlabelled one)
FAMILIES = {
    'supervised': ('configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py',
                   ['images/000000.jpg']),
    'offline-student': ('configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_'
                        'demo-lab50.py', ['images/000000.jpg', 'unlabeled/000019.jpg']),
    'teacher-student': ('configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-'
                        's1_demo-lab50.py', ['images/000000.jpg', 'unlabeled/000019.jpg']),
    'segmentation': ('configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-'
                     'voc-lab50.py', ['voc/JPEGImages/000000.jpg']),
}


def truncate(path, size=200):
    with open(path, 'rb') as f:
        head = f.read(size)
    with open(path, 'wb') as f:
        f.write(head)


@pytest.fixture
def bad_demo(tmp_path, demo_data, monkeypatch):
    """A copy of the demo data, and this test's own record file."""
    data = str(tmp_path / 'data')
    shutil.copytree(demo_data, data)
    monkeypatch.setenv(record_mod.ENV, str(tmp_path / 'unreadable.jsonl'))
    return data


def _dataset_cfg(config, data):
    cfg = Config.fromfile(config)
    root = f'{data}/voc/' if 'voc' in config else f'{data}/'
    cfg.val_dataloader.dataset.data_root = root
    if cfg.val_evaluator.get('ann_file'):
        cfg.val_evaluator.ann_file = f'{data}/annotations/instances_val.json'
    ds = cfg.train_dataloader.dataset
    for part in (ds.human, ds.pseudo) if ds.get('type') == 'HumanPseudoDataset' else (ds,):
        part.data_root = root
    if ds.get('pseudo', {}).get('ann_file'):  # an offline student: a label file of unlabeled/
        ds.pseudo.ann_file = f'{data}/annotations/unlabeled_as_pseudo.json'
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return cfg


def _unlabeled_as_pseudo(data):
    """A pseudo-label file over unlabeled/ (no boxes): what pseudo_label.py writes."""
    names = sorted(os.listdir(f'{data}/unlabeled'))
    images = [dict(id=i + 1, file_name=n, width=96, height=96) for i, n in enumerate(names)]
    meta = json.load(open(f'{data}/annotations/instances_train.json'))
    with open(f'{data}/annotations/unlabeled_as_pseudo.json', 'w') as f:
        json.dump(dict(images=images, annotations=[], categories=meta['categories']), f)


def _sample_paths(sample):
    """The image paths a (possibly multi-branch) training sample came from."""
    samples = sample['data_samples']
    if isinstance(samples, dict):  # MultiBranch: one sample per branch
        return {s.img_path for s in samples.values() if s is not None}
    return {samples.img_path}


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_training_draws_another_sample_and_records_the_file(bad_demo, family):
    from mmengine.registry import DATASETS
    config, corrupt = FAMILIES[family]
    _unlabeled_as_pseudo(bad_demo)
    cfg = _dataset_cfg(config, bad_demo)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    for rel in corrupt:  # after listing: ImageFolderDataset drops bad headers when it lists
        truncate(osp.join(bad_demo, rel))
    bad = {osp.join(bad_demo, rel) for rel in corrupt}
    seen = set()
    for i in range(len(dataset)):
        seen |= _sample_paths(dataset[i])
    assert not seen & {osp.normpath(p) for p in bad} and not seen & bad
    recorded = {r['path'] for r in record_mod.RecordReader().new()}
    assert {osp.normpath(p) for p in recorded} == {osp.normpath(p) for p in bad}
    assert {r['phase'] for r in record_mod.RecordReader().new()} == {'train'}


@pytest.mark.parametrize('family', ['supervised', 'segmentation'])
def test_evaluation_gets_a_blank_image_and_a_record(bad_demo, family):
    from mmengine.registry import DATASETS
    config, _ = FAMILIES[family]
    cfg = _dataset_cfg(config, bad_demo)
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    mark_evaluation_set(dataset)  # UnreadableImageHook does it (mmseg: test_mode=False)
    info = dataset.get_data_info(0)
    truncate(info['img_path'])
    sample = dataset[0]
    assert float(sample['inputs'].float().abs().sum()) == 0.0  # blank
    assert sample['data_samples'].img_path == info['img_path']
    [rec] = record_mod.RecordReader().new()
    assert rec['phase'] == 'eval' and rec['path'] == info['img_path']
    assert rec['reason'] == 'cannot be decoded'
    assert float(dataset[1]['inputs'].float().abs().sum()) > 0  # the others load


def test_missing_and_empty_files_have_their_reason(bad_demo):
    from mmengine.registry import DATASETS
    cfg = _dataset_cfg(FAMILIES['supervised'][0], bad_demo)
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    os.remove(dataset.get_data_info(0)['img_path'])
    open(dataset.get_data_info(1)['img_path'], 'w').close()
    dataset[0], dataset[1]
    reasons = [r['reason'] for r in record_mod.RecordReader().new()]
    assert reasons == ['not found', 'cannot be decoded']


def _perfect_predictions(ann):
    """One DetDataSample-like dict per image: every ground-truth box, score 1."""
    from mmengine.structures import InstanceData
    import torch
    out = []
    for img in ann['images']:
        boxes = [a['bbox'] for a in ann['annotations'] if a['image_id'] == img['id']]
        labels = [a['category_id'] - 1 for a in ann['annotations'] if a['image_id'] == img['id']]
        xyxy = torch.tensor([[x, y, x + w, y + h] for x, y, w, h in boxes] or
                            torch.zeros((0, 4)), dtype=torch.float32).reshape(-1, 4)
        pred = InstanceData(bboxes=xyxy, scores=torch.ones(len(boxes)),
                            labels=torch.tensor(labels, dtype=torch.long))
        out.append(dict(img_id=img['id'], img_path=f'/x/{img["file_name"]}',
                        ori_shape=(img['height'], img['width']), pred_instances=pred))
    return out


def test_coco_metric_leaves_the_skipped_image_and_its_ground_truth_out(demo_data, tmp_path,
                                                                         monkeypatch):
    from mmengine.evaluator import Evaluator
    ann_file = f'{demo_data}/annotations/instances_val.json'
    ann = json.load(open(ann_file))
    samples = _perfect_predictions(ann)
    first = samples[0]
    assert len(first['pred_instances']) > 0
    init_default_scope('mmdet')

    def evaluate(skip):
        monkeypatch.setenv(record_mod.ENV, str(tmp_path / f'{skip}.jsonl'))
        if skip:
            record_mod.record(first['img_path'], 'cannot be decoded', 'eval', first['img_id'])
            # the blank image's prediction: nothing found
            samples[0] = dict(first, pred_instances=first['pred_instances'][:0])
        evaluator = Evaluator(dict(type='CocoMetric', ann_file=ann_file, metric='bbox'))
        evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
        evaluator.process(samples)
        return evaluator.evaluate(len(samples))['coco/bbox_mAP']

    assert evaluate(False) == 1.0  # perfect boxes
    # without the shim, image 1 would count as missed ground truth (AP < 1)
    assert evaluate(True) == 1.0
    metric_results = []  # what the skipped sample left in the metric
    evaluator = Evaluator(dict(type='CocoMetric', ann_file=ann_file, metric='bbox'))
    evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
    evaluator.process(samples[:1])
    metric_results = evaluator.metrics[0].results
    assert len(metric_results) == 1 and isinstance(metric_results[0], SkippedSample)
    assert metric_results[0].img_id == first['img_id']


def test_coco_metric_counts_a_missed_image_when_nothing_was_skipped(demo_data, tmp_path,
                                                                     monkeypatch):
    """The control of the test above: the same empty prediction, not recorded as
    skipped, lowers AP (so the 1.0 above is the exclusion's doing)."""
    from mmengine.evaluator import Evaluator
    monkeypatch.setenv(record_mod.ENV, str(tmp_path / 'none.jsonl'))
    ann_file = f'{demo_data}/annotations/instances_val.json'
    ann = json.load(open(ann_file))
    samples = _perfect_predictions(ann)
    samples[0] = dict(samples[0], pred_instances=samples[0]['pred_instances'][:0])
    init_default_scope('mmdet')
    evaluator = Evaluator(dict(type='CocoMetric', ann_file=ann_file, metric='bbox'))
    evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
    evaluator.process(samples)
    assert evaluator.evaluate(len(samples))['coco/bbox_mAP'] < 0.95


def test_record_reader_returns_complete_lines_once(tmp_path):
    path = str(tmp_path / 'r.jsonl')
    reader = record_mod.RecordReader(path)
    assert reader.new() == []
    with open(path, 'w') as f:
        f.write(json.dumps(dict(path='a', reason='x', phase='train')) + '\n{"path": "b"')
    assert [r['path'] for r in reader.new()] == ['a']  # the half-written line waits
    with open(path, 'a') as f:
        f.write(', "phase": "eval"}\n')
    assert reader.new() == [dict(path='b', phase='eval')]
    assert reader.new() == []
    reader.skip_to_end()
    assert record_mod.RecordReader(path).new()[1:] == [dict(path='b', phase='eval')]


def test_blank_image_matches_the_loader_settings():
    from mmcv.transforms import LoadImageFromFile
    out = LoadImageFromFile(to_float32=True)(
        {'img_path': 'x.jpg', record_mod.FILL_KEY: True, 'height': 5, 'width': 7})
    assert out['img'].shape == (5, 7, 3) and out['img'].dtype == np.float32
    assert out['ori_shape'] == (5, 7)
    gray = LoadImageFromFile(color_type='grayscale')(
        {'img_path': 'x.jpg', record_mod.FILL_KEY: True})
    assert gray['img'].shape == (32, 32) and gray['img'].dtype == np.uint8
