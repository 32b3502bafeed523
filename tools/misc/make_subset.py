#!/usr/bin/env python
"""Make a deterministic low-data subset of a COCO annotation file.

    python tools/misc/make_subset.py ANN_JSON (--num-images K | --percent P) \\
        --seed S --out OUT.json [--unlabeled-out REST.json] [--rest-out HELD_OUT.json]

The subset keeps all annotations of its images (crowd regions and masks
included) and the full category list. ``--unlabeled-out`` writes the other
images without annotations (the unlabelled pool for self-training).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from tools.lib.cli import run_main  # noqa: E402
from projects.utils.coco_json import load_coco_json  # noqa: E402
from tools.lib.coco_subset import describe, split_coco  # noqa: E402
from projects.utils.io import atomic_write_json  # noqa: E402
from tools.lib.output_paths import check_distinct, check_output  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_json', help='COCO annotation file')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--num-images', type=int, help='number of images to keep')
    group.add_argument('--percent', type=float, help='percentage of images to keep')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    parser.add_argument('--out', required=True, help='output json of the subset')
    parser.add_argument('--unlabeled-out', help='output json of the other images, '
                        'without annotations')
    parser.add_argument('--rest-out', help='output json of the other images, with their '
                        'annotations (a held-out evaluation set)')
    args = parser.parse_args(argv)
    outputs = {'--out': args.out, '--unlabeled-out': args.unlabeled_out,
               '--rest-out': args.rest_out}
    check_distinct(outputs)
    for option, path in outputs.items():
        if path:
            check_output(path, [args.ann_json], option)
    return args


def main(argv=None):
    args = parse_args(argv)
    data = load_coco_json(args.ann_json)
    subset, rest = split_coco(data, args.num_images, args.percent, args.seed)
    atomic_write_json(subset, args.out)
    c = describe(subset)
    print(f'{args.out}: {c["images"]} images, {c["instances"]} instances, '
          f'{c["crowd"]} crowd regions, {c["categories"]} categories')
    if args.unlabeled_out:
        atomic_write_json(rest, args.unlabeled_out)
        print(f'{args.unlabeled_out}: {len(rest["images"])} images, no annotations')
    if args.rest_out:
        held_out = split_coco(data, args.num_images, args.percent, args.seed, True)[1]
        atomic_write_json(held_out, args.rest_out)
        print(f'{args.rest_out}: {len(held_out["images"])} images, '
              f'{describe(held_out)["instances"]} instances')


if __name__ == '__main__':
    run_main(main)
