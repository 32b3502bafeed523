#!/usr/bin/env python
"""Generate the embedded demo data set (deterministic for a given seed).

Writes, under ``--out-dir``::

    images/000000.jpg ...                     all scenes (RGB JPEG)
    annotations/instances_train.json          COCO, boxes + polygon masks, and the
                                              3 corner keypoints of each triangle
    annotations/instances_val.json
    annotations/instances_train_labeled.json  labelled part of train
    annotations/instances_train_unlabeled.json  the rest of train, no annotations
    unlabeled/000123.jpg ...                  the unlabelled images as a plain folder
    voc/JPEGImages/*.jpg, voc/SegmentationClass/*.png (palette),
    voc/ImageSets/Segmentation/{train,val}.txt
    classify/{circle,square,triangle}/000123_0.jpg ...  64 px crops of the train
                                              shapes, one folder per class (ImageNet layout)

Shapes of several classes, sizes, colours and textures are drawn on cluttered
backgrounds (gradients, noise, distractor lines).

Example::

    python tools/misc/make_demo_data.py --out-dir data/demo --num-images 240 --seed 0
"""
import argparse
import math
import os
import os.path as osp
import sys

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from projects.utils.io import atomic_write_json  # noqa: E402

CLASSES = ('circle', 'square', 'triangle')
KEYPOINTS = ('top', 'left', 'right')  # of each triangle; a flip swaps left and right
VOC_PALETTE = [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument('--num-images', type=int, default=240,
                        help='number of scenes (default 240)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--img-size', type=int, default=128,
                        help='side of the square images (default 128)')
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument('--labeled-fraction', type=float, default=0.5,
                        help='part of train that keeps its labels in the '
                        'self-training split (default 0.5)')
    args = parser.parse_args(argv)
    if args.num_images < 5:
        parser.error('--num-images must be at least 5')
    return args


def _background(rng, size):
    """Cluttered background: colour gradient + noise + distractor strokes."""
    c0, c1 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    t = np.linspace(0, 1, size)[None, :, None]
    if rng.random() < 0.5:
        t = t.transpose(1, 0, 2)
    img = (c0 * (1 - t) + c1 * t) * np.ones((size, size, 1))
    img += rng.normal(0, rng.uniform(5, 25), img.shape)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(rng.integers(2, 7)):
        pts = [tuple(int(v) for v in rng.integers(0, size, 2)) for _ in range(2)]
        draw.line(pts, fill=tuple(int(v) for v in rng.integers(0, 256, 3)),
                  width=int(rng.integers(1, 3)))
    return pil


def _polygon(cls_name, cx, cy, r, angle):
    if cls_name == 'circle':
        n = 24
        return [(cx + r * math.cos(2 * math.pi * k / n),
                 cy + r * math.sin(2 * math.pi * k / n)) for k in range(n)]
    n = 4 if cls_name == 'square' else 3
    return [(cx + r * math.cos(angle + 2 * math.pi * k / n),
             cy + r * math.sin(angle + 2 * math.pi * k / n)) for k in range(n)]


def _fill(rng, size):
    """A flat colour or a striped texture, as an RGB array."""
    col = rng.integers(0, 256, 3)
    img = np.ones((size, size, 3)) * col
    if rng.random() < 0.4:
        col2 = rng.integers(0, 256, 3)
        period = int(rng.integers(3, 8))
        stripes = ((np.arange(size)[:, None] + np.arange(size)[None]) // period) % 2
        img = np.where(stripes[..., None] == 1, col2, img)
    return Image.fromarray(img.astype(np.uint8))


def make_scene(rng, size):
    """Return (PIL image, class map (H, W) uint8, list of instances).

    Shapes do not overlap, so each polygon is exactly its instance mask.
    """
    img = _background(rng, size)
    cls_map = np.zeros((size, size), np.uint8)
    instances = []
    for _ in range(int(rng.integers(1, 5))):
        for _attempt in range(20):
            label = int(rng.integers(0, len(CLASSES)))
            r = float(rng.uniform(0.08, 0.25) * size)
            cx, cy = rng.uniform(r, size - r, 2)
            poly = _polygon(CLASSES[label], cx, cy, r, float(rng.uniform(0, math.pi)))
            mask_img = Image.new('L', (size, size), 0)
            ImageDraw.Draw(mask_img).polygon(poly, fill=255)
            mask = np.array(mask_img) > 0
            if mask.sum() >= 20 and not (mask & (cls_map > 0)).any():
                break
        else:
            continue
        img.paste(_fill(rng, size), (0, 0), mask_img)
        cls_map[mask] = label + 1
        instances.append(dict(label=label, poly=poly, mask=mask))
    return img, cls_map, instances


def _triangle_keypoints(poly, size):
    """(top, left, right) vertices of a triangle as COCO (x, y, v=2) triples:
    the topmost vertex, then the other two by x (a horizontal flip swaps them)."""
    pts = sorted(((min(max(x, 0.0), size - 0.5), min(max(y, 0.0), size - 0.5))
                  for x, y in poly), key=lambda p: (p[1], p[0]))
    top, rest = pts[0], sorted(pts[1:])
    return [float(v) for x, y in (top, *rest) for v in (x, y, 2)]


def _coco_ann(inst, ann_id, img_id, size):
    ys, xs = np.nonzero(inst['mask'])
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    poly = [float(min(max(v, 0), size)) for p in inst['poly'] for v in p]
    ann = dict(id=ann_id, image_id=img_id, category_id=inst['label'] + 1,
               bbox=[float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
               area=float(inst['mask'].sum()), iscrowd=0, segmentation=[poly])
    if CLASSES[inst['label']] == 'triangle':  # the keypoint category
        ann.update(keypoints=_triangle_keypoints(inst['poly'], size), num_keypoints=3)
    return ann


def _coco(images, anns):
    cats = [dict(id=i + 1, name=n, supercategory='shape') for i, n in enumerate(CLASSES)]
    cats[CLASSES.index('triangle')].update(keypoints=list(KEYPOINTS),
                                           skeleton=[[1, 2], [2, 3], [3, 1]])
    return dict(images=images, annotations=anns, categories=cats,
                info=dict(description='rethink-pretrain demo shapes'))


def _save_image(img, path):
    tmp = path + '.tmp.jpg'
    img.save(tmp, quality=92)
    os.replace(tmp, path)


def _save_palette_png(cls_map, path):
    png = Image.fromarray(cls_map, mode='P')
    png.putpalette([v for c in VOC_PALETTE for v in c] + [224, 224, 192] * 252)
    tmp = path + '.tmp.png'
    png.save(tmp)
    os.replace(tmp, path)


def _save_crops(img, insts, name, out_dir, size=64):
    """Each shape's box (plus a 20% margin) as a size x size image in its class folder."""
    for k, inst in enumerate(insts):
        ys, xs = np.nonzero(inst['mask'])
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        m = int(0.2 * max(x1 - x0, y1 - y0))
        box = (max(0, x0 - m), max(0, y0 - m), min(img.width, x1 + m), min(img.height, y1 + m))
        folder = osp.join(out_dir, CLASSES[inst['label']])
        os.makedirs(folder, exist_ok=True)
        _save_image(img.crop(box).resize((size, size)), osp.join(folder, f'{name}_{k}.jpg'))


def generate(out_dir, num_images=240, seed=0, img_size=128, val_fraction=0.2,
             labeled_fraction=0.5):
    """Generate the demo data set; returns a dict of counts."""
    rng = np.random.default_rng(seed)
    dirs = {k: osp.join(out_dir, k) for k in
            ('images', 'annotations', 'unlabeled', 'classify', 'voc/JPEGImages',
             'voc/SegmentationClass', 'voc/ImageSets/Segmentation')}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    n_val = max(1, int(round(num_images * val_fraction)))
    n_train = num_images - n_val
    n_lab = max(1, int(round(n_train * labeled_fraction)))
    split = {'train': [], 'val': []}
    images, anns = {}, {}
    ann_id = 1
    for idx in range(num_images):
        img, cls_map, insts = make_scene(rng, img_size)
        name = f'{idx:06d}'
        _save_image(img, osp.join(dirs['images'], name + '.jpg'))
        _save_image(img, osp.join(dirs['voc/JPEGImages'], name + '.jpg'))
        _save_palette_png(cls_map, osp.join(dirs['voc/SegmentationClass'], name + '.png'))
        images[idx] = dict(id=idx + 1, file_name=name + '.jpg', width=img_size,
                           height=img_size)
        anns[idx] = []
        for inst in insts:
            anns[idx].append(_coco_ann(inst, ann_id, idx + 1, img_size))
            ann_id += 1
        split['train' if idx < n_train else 'val'].append(idx)
        if idx < n_train:
            _save_crops(img, insts, name, dirs['classify'])
    ann_dir = dirs['annotations']
    for part, idxs in split.items():
        atomic_write_json(_coco([images[i] for i in idxs],
                                [a for i in idxs for a in anns[i]]),
                          osp.join(ann_dir, f'instances_{part}.json'))
        with open(osp.join(dirs['voc/ImageSets/Segmentation'], part + '.txt'), 'w') as f:
            f.write('\n'.join(f'{i:06d}' for i in idxs) + '\n')
    lab, unlab = split['train'][:n_lab], split['train'][n_lab:]
    # the labelled half for segmentation self-training; the unlabelled half
    # is the unlabeled/ folder (same scenes, same file names)
    with open(osp.join(dirs['voc/ImageSets/Segmentation'], 'train_labeled.txt'), 'w') as f:
        f.write('\n'.join(f'{i:06d}' for i in lab) + '\n')
    atomic_write_json(_coco([images[i] for i in lab], [a for i in lab for a in anns[i]]),
                      osp.join(ann_dir, 'instances_train_labeled.json'))
    atomic_write_json(_coco([images[i] for i in unlab], []),
                      osp.join(ann_dir, 'instances_train_unlabeled.json'))
    for i in unlab:
        src = osp.join(dirs['images'], images[i]['file_name'])
        dst = osp.join(dirs['unlabeled'], images[i]['file_name'])
        if not osp.exists(dst):
            with open(src, 'rb') as fi, open(dst + '.tmp', 'wb') as fo:
                fo.write(fi.read())
            os.replace(dst + '.tmp', dst)
    counts = dict(train=n_train, val=n_val, labeled=len(lab), unlabeled=len(unlab),
                  instances=ann_id - 1, classes=len(CLASSES))
    atomic_write_json(dict(seed=seed, num_images=num_images, img_size=img_size, **counts),
                      osp.join(out_dir, 'DONE.json'))
    return counts


def main(argv=None):
    args = parse_args(argv)
    counts = generate(args.out_dir, args.num_images, args.seed, args.img_size,
                      args.val_fraction, args.labeled_fraction)
    print(f'demo data in {args.out_dir}: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))


if __name__ == '__main__':
    main()
