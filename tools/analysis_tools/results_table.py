#!/usr/bin/env python
"""Print a Markdown table of the final metrics of one or more runs.

    python tools/analysis_tools/results_table.py WORK_DIR [WORK_DIR ...] [--metrics K ...]

Reads ``curve.json`` (written by LearningCurveHook) in each work dir.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from tools.lib.cli import run_main  # noqa: E402
from projects.utils.curves import final_metrics, load_curve, markdown_table  # noqa: E402

DEFAULT_KEYS = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75', 'coco/bbox_mAP_s',
                'coco/bbox_mAP_m', 'coco/bbox_mAP_l', 'coco/segm_mAP', 'pascal_voc/mAP', 'mIoU')


def build_rows(work_dirs, metrics=None):
    rows, keys = [], []
    for wd in work_dirs:
        curve = load_curve(wd)
        final = final_metrics(curve) or {}
        sched = curve.get('schedule', {})
        rows.append(dict(run=osp.basename(osp.normpath(wd)), iter=final.get('iter'),
                         schedule=f"{sched['multiplier']}x" if 'multiplier' in sched else None,
                         **{k: v for k, v in final.items() if k != 'iter'}))
        keys += [k for k in (metrics or DEFAULT_KEYS) if k in final and k not in keys]
    return rows, ['run', 'schedule', 'iter'] + keys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument('--metrics', nargs='+', help='metric keys to show')
    args = parser.parse_args(argv)
    rows, cols = build_rows(args.work_dirs, args.metrics)
    print(markdown_table(rows, cols))


if __name__ == '__main__':
    run_main(main)
