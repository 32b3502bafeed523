#!/usr/bin/env python
"""Data-loading time per image of S1-S4, policy before or after the crop.

    python tools/analysis_tools/benchmark_augment.py ANN.json IMG_DIR \\
        [--scale 640 640] [--strengths S2 S3 S4] [--images 100] [--masks]

Loads each image with its boxes (and polygon masks with ``--masks``) and runs
``StrengthAugment`` on it, once with the policy on the original-size image
(``augment_first=True``, the reference's order) and once after the
resize-crop; prints ms per image (mean over ``--images`` images, decoding
included, one process, one thread).
"""
import argparse
import contextlib
import io
import json
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file')
    parser.add_argument('img_dir')
    parser.add_argument('--scale', type=int, nargs=2, default=[640, 640], metavar=('W', 'H'))
    parser.add_argument('--strengths', nargs='+', default=['S1', 'S2', 'S3', 'S4'],
                        choices=['S1', 'S2', 'S3', 'S4'])
    parser.add_argument('--images', type=int, default=100)
    parser.add_argument('--masks', action='store_true', help='load and move polygon masks')
    return parser.parse_args(argv)


def time_pipeline(args, strength, augment_first):
    """Mean seconds per image of load + StrengthAugment over the first images."""
    import numpy as np
    from mmdet.datasets import CocoDataset
    np.random.seed(0)
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True, with_mask=args.masks),
                dict(type='StrengthAugment', strength=strength, scale=tuple(args.scale),
                     augment_first=augment_first)]
    cats = sorted(json.load(open(args.ann_file))['categories'], key=lambda c: c['id'])
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' index messages
        data = CocoDataset(ann_file=osp.abspath(args.ann_file),
                           metainfo=dict(classes=tuple(c['name'] for c in cats)),
                           data_prefix=dict(img=args.img_dir), pipeline=pipeline,
                           filter_cfg=dict(filter_empty_gt=True))
    n = min(args.images, len(data))
    start = time.perf_counter()
    for i in range(n):
        data.prepare_data(i)
    return (time.perf_counter() - start) / n, n


def main(argv=None):
    args = parse_args(argv)
    from projects.utils import UserInputError
    for path in (args.ann_file, args.img_dir):
        if not osp.exists(path):
            raise UserInputError(f'not found: {path}')
    import torch
    torch.set_num_threads(1)
    import cv2
    cv2.setNumThreads(1)
    from mmengine.registry import init_default_scope

    import projects.register  # noqa: F401  (registers StrengthAugment)
    init_default_scope('mmdet')
    print('| strength | policy on the original image (ms/img) | policy after the crop '
          '(ms/img) |\n|---|---|---|')
    for strength in args.strengths:
        first, n = time_pipeline(args, strength, True)
        after, _ = time_pipeline(args, strength, False) if strength != 'S1' else (first, n)
        print(f'| {strength} | {first * 1e3:.1f} | {after * 1e3:.1f} |')
    print(f'({n} images, scale {args.scale[0]}x{args.scale[1]}, '
          f'{"boxes + masks" if args.masks else "boxes"})')
    return 0


if __name__ == '__main__':
    from tools.lib.cli import run_main
    run_main(main)
