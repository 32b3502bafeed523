"""tools/misc/make_demo_data.py: deterministic, consistent COCO and VOC output."""
import hashlib
import json
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from tools.misc.make_demo_data import CLASSES, generate


def _digest(folder):
    h = hashlib.sha1()
    for name in ('annotations/instances_train.json', 'images/000003.jpg',
                 'voc/SegmentationClass/000003.png'):
        h.update(open(osp.join(folder, name), 'rb').read())
    return h.hexdigest()


def test_deterministic(tmp_path):
    generate(str(tmp_path / 'a'), num_images=12, seed=5, img_size=64)
    generate(str(tmp_path / 'b'), num_images=12, seed=5, img_size=64)
    generate(str(tmp_path / 'c'), num_images=12, seed=6, img_size=64)
    assert _digest(tmp_path / 'a') == _digest(tmp_path / 'b') != _digest(tmp_path / 'c')


def test_coco_and_voc_agree(demo_data):
    train = json.load(open(osp.join(demo_data, 'annotations', 'instances_train.json')))
    val = json.load(open(osp.join(demo_data, 'annotations', 'instances_val.json')))
    lab = json.load(open(osp.join(demo_data, 'annotations', 'instances_train_labeled.json')))
    unl = json.load(open(osp.join(demo_data, 'annotations', 'instances_train_unlabeled.json')))
    assert [c['name'] for c in train['categories']] == list(CLASSES)
    assert len(train['images']) + len(val['images']) == 48
    assert {i['id'] for i in lab['images']} | {i['id'] for i in unl['images']} == \
        {i['id'] for i in train['images']}
    assert unl['annotations'] == []
    assert len(list(__import__('os').listdir(osp.join(demo_data, 'unlabeled')))) == \
        len(unl['images'])
    by_img = {}
    for a in train['annotations']:
        by_img.setdefault(a['image_id'], []).append(a)
    img = train['images'][0]
    png = np.array(Image.open(osp.join(demo_data, 'voc', 'SegmentationClass',
                                       img['file_name'].replace('.jpg', '.png'))))
    assert Image.open(osp.join(demo_data, 'voc', 'SegmentationClass',
                               img['file_name'].replace('.jpg', '.png'))).mode == 'P'
    for a in by_img[img['id']]:
        rle = mask_utils.frPyObjects(a['segmentation'], img['height'], img['width'])
        m = mask_utils.decode(mask_utils.merge(rle)).astype(bool)
        # the polygon mask and the VOC class map agree on most pixels
        assert (png[m] == a['category_id']).mean() > 0.9
        x, y, w, h = a['bbox']
        ys, xs = np.nonzero(m)
        assert abs(xs.min() - x) <= 1 and abs(ys.min() - y) <= 1
        assert abs(xs.max() + 1 - (x + w)) <= 1.5 and abs(ys.max() + 1 - (y + h)) <= 1.5


def test_classify_crops_one_per_train_shape(demo_data):
    import os
    train = json.load(open(osp.join(demo_data, 'annotations', 'instances_train.json')))
    root = osp.join(demo_data, 'classify')
    assert sorted(os.listdir(root)) == sorted(CLASSES)
    per_class = {c: len(os.listdir(osp.join(root, c))) for c in CLASSES}
    expected = {c: sum(a['category_id'] == i + 1 for a in train['annotations'])
                for i, c in enumerate(CLASSES)}
    assert per_class == expected
    name = sorted(os.listdir(osp.join(root, CLASSES[0])))[0]
    assert Image.open(osp.join(root, CLASSES[0], name)).size == (64, 64)
