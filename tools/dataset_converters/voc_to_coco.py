#!/usr/bin/env python
"""Convert a PASCAL-VOC-layout detection set (e.g. BCCD) to COCO json files.

    python tools/dataset_converters/voc_to_coco.py VOC_ROOT --out-dir data/bccd \\
        [--splits trainval test] [--classes RBC WBC Platelets]

Reads ``VOC_ROOT/ImageSets/Main/{split}.txt`` and ``VOC_ROOT/Annotations/*.xml``
and writes ``OUT_DIR/annotations/{split}.json`` (boxes in xywh, ``iscrowd`` 0,
``difficult`` boxes kept as ordinary ones). ``OUT_DIR/JPEGImages``
becomes a symlink to the VOC images, so the configs' ``data_root`` is
``OUT_DIR``. Zero-size boxes are dropped and counted. The category ids follow
``--classes`` (default: the names in order of first appearance).
"""
import argparse
import math
import os
import os.path as osp
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from projects.utils import UserInputError, atomic_write_json  # noqa: E402
from tools.lib.cli import run_main  # noqa: E402
from tools.lib.output_paths import check_output  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('voc_root', help='folder with Annotations/, JPEGImages/, ImageSets/Main/')
    parser.add_argument('--out-dir', required=True, help='output data root')
    parser.add_argument('--splits', nargs='+', default=['trainval', 'test'])
    parser.add_argument('--classes', nargs='+', help='category names, in id order')
    parser.add_argument('--force', action='store_true',
                        help='replace a JPEGImages link of OUT_DIR that points at another root')
    return parser.parse_args(argv)


def read_xml(path: str) -> dict:
    """Image size and (name, x1, y1, x2, y2) boxes of one VOC xml file."""
    try:
        root = ET.parse(path).getroot()
        size = root.find('size')
        corners = ('xmin', 'ymin', 'xmax', 'ymax')
        boxes = [(obj.findtext('name').strip(),
                  *(float(obj.find('bndbox').findtext(k)) for k in corners))
                 for obj in root.iter('object')]
        info = dict(file_name=root.findtext('filename'), width=int(size.findtext('width')),
                    height=int(size.findtext('height')), boxes=boxes)
    except (ET.ParseError, AttributeError, TypeError, ValueError) as e:
        raise UserInputError(f'{path}: not a readable VOC annotation ({e})')
    for name, *corners in info['boxes']:
        if not all(math.isfinite(v) for v in corners):
            raise UserInputError(f'{path}: object {name!r} has a non-finite coordinate '
                                 f'{corners}; fix or remove it')
    return info


def convert_split(voc_root: str, split: str, classes: List[str]) -> Dict:
    """One COCO dict for ``ImageSets/Main/{split}.txt``; extends ``classes``."""
    list_file = osp.join(voc_root, 'ImageSets', 'Main', f'{split}.txt')
    if not osp.isfile(list_file):
        raise UserInputError(f'split list not found: {list_file}')
    images, annotations, dropped = [], [], 0
    for image_id, name in enumerate(open(list_file).read().split(), start=1):
        info = read_xml(osp.join(voc_root, 'Annotations', f'{name}.xml'))
        images.append(dict(id=image_id, file_name=info['file_name'] or f'{name}.jpg',
                           width=info['width'], height=info['height']))
        for cls, x1, y1, x2, y2 in info['boxes']:
            if x2 <= x1 or y2 <= y1:
                dropped += 1
                continue
            if cls not in classes:
                classes.append(cls)
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id,
                                    category_id=classes.index(cls) + 1, iscrowd=0,
                                    bbox=[x1, y1, x2 - x1, y2 - y1], area=(x2 - x1) * (y2 - y1)))
    return dict(images=images, annotations=annotations, dropped=dropped)


def check_images_link(voc_root: str, out_dir: str, force: bool = False) -> None:
    """Refuse an ``out_dir/JPEGImages`` that is not this root's images (a link made
    from another VOC root would pair these annotations with those images)."""
    link, target = osp.join(out_dir, 'JPEGImages'), osp.join(voc_root, 'JPEGImages')
    if not osp.lexists(link) or osp.realpath(link) == osp.realpath(target):
        return
    if force and osp.islink(link):
        os.remove(link)
        return
    raise UserInputError(f'{link} points at {osp.realpath(link)}, not at this VOC root\'s '
                         f'{target}; write to another --out-dir, or pass --force to replace '
                         'the link')


def convert(voc_root: str, out_dir: str, splits: List[str],
            classes: Optional[List[str]] = None, force: bool = False) -> Dict[str, str]:
    """Write one COCO json per split; returns {split: path}."""
    check_images_link(voc_root, out_dir, force)
    classes = list(classes or [])
    parts = {split: convert_split(voc_root, split, classes) for split in splits}
    categories = [dict(id=i + 1, name=c) for i, c in enumerate(classes)]
    paths = {}
    for split, part in parts.items():
        dropped = part.pop('dropped')
        paths[split] = osp.join(out_dir, 'annotations', f'{split}.json')
        atomic_write_json(dict(part, categories=categories), paths[split])
        print(f'{split}: {len(part["images"])} images, {len(part["annotations"])} boxes '
              f'({dropped} zero-size dropped) -> {paths[split]}')
    link = osp.join(out_dir, 'JPEGImages')
    if not osp.exists(link):
        os.symlink(osp.abspath(osp.join(voc_root, 'JPEGImages')), link)
    return paths


def main(argv=None):
    args = parse_args(argv)
    if osp.realpath(args.out_dir) == osp.realpath(args.voc_root):
        raise UserInputError(f'--out-dir {args.out_dir} is the VOC root itself; write the '
                             'COCO data root elsewhere (it links JPEGImages/ back here)')
    check_output(args.out_dir, [], '--out-dir', 'dir')
    convert(args.voc_root, args.out_dir, args.splits, args.classes, args.force)


if __name__ == '__main__':
    run_main(main)
