"""SafeLoadImageFromFile: training draws another sample, evaluation gets a blank
image, and every skip is recorded, for every dataset family of our configs."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from projects.datasets.transforms import SafeLoadImageFromFile, blank_unreadable_images
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
    assert blank_unreadable_images(dataset) == 1  # UnreadableImageHook does it before evaluating
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
    blank_unreadable_images(dataset)
    os.remove(dataset.get_data_info(0)['img_path'])
    open(dataset.get_data_info(1)['img_path'], 'w').close()
    dataset[0], dataset[1]
    reasons = [r['reason'] for r in record_mod.RecordReader().new()]
    assert reasons == ['not found', 'cannot be decoded']


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


def test_blank_image_matches_the_loader_settings(tmp_path):
    missing = str(tmp_path / 'x.jpg')
    out = SafeLoadImageFromFile(unreadable='blank', to_float32=True)(
        {'img_path': missing, 'height': 5, 'width': 7})
    assert out['img'].shape == (5, 7, 3) and out['img'].dtype == np.float32
    assert out['ori_shape'] == (5, 7)
    gray = SafeLoadImageFromFile(unreadable='blank', color_type='grayscale')(
        {'img_path': missing})
    assert gray['img'].shape == (32, 32) and gray['img'].dtype == np.uint8
    assert SafeLoadImageFromFile()({'img_path': missing}) is None  # training: resample


def test_a_readable_image_loads_as_upstream(demo_data):
    from mmcv.transforms import LoadImageFromFile
    path = f'{demo_data}/images/000000.jpg'
    ours, theirs = SafeLoadImageFromFile()({'img_path': path}), LoadImageFromFile()(
        {'img_path': path})
    assert np.array_equal(ours['img'], theirs['img']) and ours['img_shape'] == theirs['img_shape']


def test_a_bad_mode_is_named():
    with pytest.raises(ValueError, match="unreadable must be one of"):
        SafeLoadImageFromFile(unreadable='skip')
