"""tools/misc/check_dataset.py and train.py --check-data: bad images are found
and named, verdicts are cached, annotation errors stay one line."""
import json
import os
import os.path as osp
import shutil

import pytest

from projects.utils.errors import UserInputError
from tests.conftest import DEMO_CONFIG, demo_cfg_options, run_tool, shared_data
from tools.misc import check_dataset as cd


@pytest.fixture
def broken_demo(demo_data, tmp_path):
    """The demo set with 2 bad training images: one truncated, one not an image."""
    data = str(tmp_path / 'demo')
    shutil.copytree(demo_data, data)
    train = json.load(open(osp.join(data, 'annotations', 'instances_train.json')))
    names = sorted(im['file_name'] for im in train['images'])
    cut = osp.join(data, 'images', names[0])
    blob = open(cut, 'rb').read()
    open(cut, 'wb').write(blob[:len(blob) // 2])
    open(osp.join(data, 'images', names[1]), 'w').write('not an image')
    return data, names, len(train['images'])


def test_verdicts(demo_data, tmp_path):
    img = sorted(os.listdir(osp.join(demo_data, 'images')))[0]
    good = osp.join(demo_data, 'images', img)
    blob = open(good, 'rb').read()
    assert cd.header_verdict(good) == cd.decode_verdict(good)[0] == 'ok'
    cases = {'cut.jpg': blob[:len(blob) // 2], 'empty.jpg': b'', 'text.jpg': b'hello',
             'garbage.jpg': b'\xff\xd8\xff' + bytes(range(256)) * 4 + b'\xff\xd9'}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    v = {n: (cd.header_verdict(str(tmp_path / n)), cd.decode_verdict(str(tmp_path / n))[0])
         for n in cases}
    assert v['cut.jpg'][0] == f'truncated JPEG ({len(blob) // 2} bytes, no end marker)'
    assert v['empty.jpg'] == ('empty file (0 bytes)',) * 2
    assert v['text.jpg'] == ('not an image (5 bytes, unknown format)',) * 2
    # a JPEG header and end marker around garbage passes the header check only
    assert v['garbage.jpg'][0] == 'ok' and v['garbage.jpg'][1].startswith('cannot decode')


def test_bad_images_are_counted_named_and_cached(broken_demo, tmp_path, capsys):
    data, names, n_train = broken_demo
    cache = str(tmp_path / 'cache.json')
    argv = [DEMO_CONFIG, '--split', 'train', '--workers', '2', '--cache', cache,
            '--cfg-options'] + demo_cfg_options(data)
    assert cd.main(argv) == 1
    out = capsys.readouterr().out
    ann = f'{data}/annotations/instances_train.json'
    assert f'| train | {ann} | {n_train} | {n_train - 2} | 2 | 0 |' in out
    assert f'bad image: {data}/images/{names[0]}: truncated JPEG' in out
    assert f'bad image: {data}/images/{names[1]}: not an image (12 bytes' in out
    assert len(json.load(open(cache))) == n_train
    assert cd.main(argv) == 1  # unchanged files: every verdict from the cache
    assert f'| train | {ann} | {n_train} | {n_train - 2} | 2 | {n_train} | - |' in \
        capsys.readouterr().out
    shutil.copy(osp.join(data, 'images', names[2]), osp.join(data, 'images', names[1]))
    assert cd.main(argv) == 1  # the repaired file is checked again, the rest is cached
    out = capsys.readouterr().out
    assert f'| train | {ann} | {n_train} | {n_train - 1} | 1 | {n_train - 1} |' in out


def test_segmentation_split_files_one_worker(demo_data, tmp_path, capsys):
    cfg = 'configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py'
    voc = f'{demo_data}/voc'
    split = f'{voc}/ImageSets/Segmentation/train_labeled.txt'
    n = sum(1 for line in open(split) if line.strip())
    assert cd.main([cfg, '--split', 'train', '--workers', '1', '--cache', str(tmp_path / 'c.json'),
                    '--cfg-options', f'train_dataloader.dataset.data_root={voc}/']) == 0
    assert f'| train | {split} | {n} | {n} | 0 | 0 |' in capsys.readouterr().out


def test_annotation_errors_stay_one_line(broken_demo, tmp_path):
    data, _, _ = broken_demo
    open(osp.join(data, 'annotations', 'instances_train.json'), 'w').write('{"images": []}')
    with pytest.raises(UserInputError, match='instances_train.json'):
        cd.main([DEMO_CONFIG, '--cache', str(tmp_path / 'c.json'), '--cfg-options'] +
                demo_cfg_options(data))


def test_train_check_data_stops_in_one_line(broken_demo, tmp_path):
    data, names, _ = broken_demo
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--check-data', '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options'] + demo_cfg_options(data),
                    env=dict(XDG_CACHE_HOME=str(tmp_path / 'xdg')), check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: --check-data: 2 bad image(s), first ') and names[0] in last
    assert not osp.exists(osp.join(tmp_path, 'w', 'iter_1.pth'))


@pytest.mark.realdata
def test_coco128_is_clean(tmp_path, capsys):
    coco128 = shared_data('coco128')
    cfg = 'configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py'
    opts = [f'train_dataloader.dataset.data_root={coco128}/', '--split', 'train']
    assert cd.main([cfg, '--full-decode', '--cache', str(tmp_path / 'c.json'), '--cfg-options']
                   + opts[:1] + opts[1:]) == 0
    out = capsys.readouterr().out
    assert f'| train | {coco128}/annotations/instances_train2017.json | 128 | 128 | 0 | 0 |' in out


def _exif_rotated(path, orientation=6):
    """A 64 x 32 (raw) JPEG holding a white 16 x 8 object at x 40-55, y 4-11, whose
    EXIF orientation 6 turns it to 32 x 64: the object at x 20-27, y 40-55."""
    import numpy as np
    from PIL import Image
    raw = np.zeros((32, 64, 3), np.uint8)
    raw[4:12, 40:56] = 255
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(raw).save(path, exif=exif, quality=100)
    return path


def test_a_decoded_size_that_differs_from_the_annotation_is_named(tmp_path):
    """Issue #38 item 4: the loaders honour EXIF; an annotation in the raw frame is named."""
    path = _exif_rotated(str(tmp_path / 'turned.jpg'))
    assert cd.decode_verdict(path) == ('ok', [32, 64])
    sizes = {path: [64, 32]}  # the annotation records the raw frame
    verdicts, _ = cd.check_images([path], True, 1, {}, progress=False, sizes=sizes)
    assert verdicts[path] == ('decoded 32x64, the annotation says 64x32; EXIF orientation 6 '
                              'turns it, and the loaders honour EXIF: the annotation is in the '
                              'raw frame, its boxes would land turned')
    verdicts, _ = cd.check_images([path], True, 1, {}, progress=False, sizes={path: [32, 64]})
    assert verdicts[path] == 'ok'


def test_training_puts_the_boxes_of_an_exif_rotated_image_on_the_object(tmp_path):
    """The training pipeline (SafeLoadImageFromFile, LoadAnnotations, a flip-free
    resize, PackDetInputs) of a COCO set whose annotation is in the displayed
    (EXIF-applied) frame: the packed box covers the white object, nothing else."""
    from mmengine.registry import init_default_scope
    from mmdet.registry import DATASETS
    import projects.register  # noqa: F401
    (tmp_path / 'images').mkdir()
    _exif_rotated(str(tmp_path / 'images' / 'turned.jpg'))
    ann = dict(images=[dict(id=1, file_name='turned.jpg', width=32, height=64)],
               annotations=[dict(id=1, image_id=1, category_id=1, bbox=[20, 40, 8, 16],
                                 area=128, iscrowd=0)],
               categories=[dict(id=1, name='thing')])
    (tmp_path / 'ann.json').write_text(json.dumps(ann))
    init_default_scope('mmdet')
    dataset = DATASETS.build(dict(
        type='CocoDataset', data_root=str(tmp_path) + '/', ann_file='ann.json',
        data_prefix=dict(img='images/'), metainfo=dict(classes=('thing', )),
        pipeline=[dict(type='SafeLoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
                  dict(type='Resize', scale=(64, 128), keep_ratio=True),
                  dict(type='PackDetInputs')]))
    sample = dataset[0]
    img = sample['inputs'].numpy()  # (3, 128, 64): twice the displayed size
    assert img.shape == (3, 128, 64)
    x1, y1, x2, y2 = sample['data_samples'].gt_instances.bboxes.tensor[0].round().int().tolist()
    assert (x1, y1, x2, y2) == (40, 80, 56, 112)
    inside = img[0, y1 + 2:y2 - 2, x1 + 2:x2 - 2]
    assert inside.min() > 200  # the object is where its box is
    outside = img[0].copy()
    outside[max(y1 - 2, 0):y2 + 2, max(x1 - 2, 0):x2 + 2] = 0
    assert outside.max() < 60  # and nowhere else
