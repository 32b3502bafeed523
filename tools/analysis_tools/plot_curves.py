#!/usr/bin/env python
"""Draw the learning curves (AP against iteration) of several runs on one
figure, with their LR drops marked (He et al., Figure 1).

    python tools/analysis_tools/plot_curves.py WORK_DIR [WORK_DIR ...] --out fig.png
        [--labels A B ...] [--metric coco/bbox_mAP]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from tools.lib.cli import run_main  # noqa: E402
from projects.utils.curves import load_curve  # noqa: E402
from projects.utils.errors import UserInputError  # noqa: E402
from projects.utils.plotting import plot_learning_curves  # noqa: E402
from tools.lib.output_paths import check_output  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--labels', nargs='+', help='one label per work dir')
    parser.add_argument('--metric', help='validation metric (default: bbox mAP)')
    args = parser.parse_args(argv)
    check_output(args.out, args.work_dirs, '--out')
    labels = args.labels or [osp.basename(osp.normpath(w)) for w in args.work_dirs]
    if len(labels) != len(args.work_dirs):
        raise UserInputError(f'--labels has {len(labels)} names for '
                             f'{len(args.work_dirs)} work dirs')
    runs = [(lab, load_curve(w)) for lab, w in zip(labels, args.work_dirs)]
    metric = plot_learning_curves(runs, args.out, args.metric)
    print(f'wrote {args.out} ({metric} of {len(runs)} runs)')


if __name__ == '__main__':
    run_main(main)
