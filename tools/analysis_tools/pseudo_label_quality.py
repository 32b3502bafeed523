#!/usr/bin/env python
"""Quality of a teacher's pseudo labels against labels that were held back.

    python tools/analysis_tools/pseudo_label_quality.py PSEUDO.json GT.json \\
        [--thresholds 0.3 0.5 0.7 0.9] [--out-dir DIR] [--show N --img-dir DIR]

PSEUDO.json is ``tools/pseudo_label.py``'s output, best written with a low
``--score-thr`` (0.05, say) so that every threshold here can be applied; GT.json
holds the true labels of the same images (matched by file name). Prints, per
threshold and class: ground-truth and pseudo boxes, precision and recall at IoU
0.5, the COCO AP of the kept pseudo labels scored as detections, their size
bias (median of each ground-truth box's best-overlapping pseudo box's linear
size over its own: 1.3 is 30% too large), and the share of images left without
any box. Run on a model's detections of a test set, it diagnoses the model.
``--out-dir`` also writes ``quality.json``, ``quality.md`` and
``precision_recall.png``; ``--show N`` draws N images with the pseudo boxes
(at the middle threshold) over the ground truth.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from tools.lib.cli import run_main  # noqa: E402
from projects.utils.errors import UserInputError  # noqa: E402
from projects.utils.io import atomic_write_json, atomic_write_text  # noqa: E402
from tools.lib.pseudo_quality import pseudo_label_quality, quality_markdown  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('pseudo')
    parser.add_argument('gt')
    parser.add_argument('--thresholds', type=float, nargs='+', default=[0.3, 0.5, 0.7, 0.9])
    parser.add_argument('--out-dir')
    parser.add_argument('--show', type=int, default=0, metavar='N')
    parser.add_argument('--img-dir', help='image folder of the pseudo-labelled images (--show)')
    args = parser.parse_args(argv)
    if args.show and not (args.out_dir and args.img_dir):
        parser.error('--show needs --out-dir and --img-dir')
    return args


def _load(path, what):
    if not osp.isfile(path):
        raise UserInputError(f'{what} not found: {path}')
    try:
        data = json.load(open(path))
    except ValueError as e:
        raise UserInputError(f'{what} {path} is not valid JSON: {e}') from None
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise UserInputError(f'{what} {path} has no {key!r} (not a COCO json)')
    return data


def plot_precision_recall(report, out_file):
    from projects.utils.plotting import plt, save_figure
    fig, ax = plt.subplots(figsize=(6, 4))
    thrs = [r['thr'] for r in report['rows']]
    for i, name in enumerate(report['classes']):
        for key, style in (('precision', '-o'), ('recall', '--s')):
            vals = [r['classes'][name][key] for r in report['rows']]
            pts = [(t, v) for t, v in zip(thrs, vals) if v is not None]
            if pts:
                ax.plot(*zip(*pts), style, color=f'C{i % 10}', ms=4, label=f'{name} {key}')
    ax.set(xlabel='score threshold', ylabel='precision (solid) / recall (dashed)',
           title='pseudo labels vs held-back labels', ylim=(-0.02, 1.02))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save_figure(fig, out_file)


def show_images(pseudo, gt, args, thr):
    """N images with ground truth and the pseudo boxes kept at ``thr`` (mmdet's visualizer)."""
    import mmcv
    import numpy as np
    import torch
    from mmengine.structures import InstanceData

    from mmdet.structures import DetDataSample
    from mmdet.visualization import DetLocalVisualizer
    names = [c['name'] for c in sorted(gt['categories'], key=lambda c: c['id'])]
    gt_label = {c['id']: names.index(c['name']) for c in gt['categories']}
    ps_label = {c['id']: names.index(c['name']) for c in pseudo['categories']}
    gt_by_name = {im['file_name']: im['id'] for im in gt['images']}
    vis = DetLocalVisualizer(name='pseudo_label_quality')
    vis.dataset_meta = dict(classes=names)
    out_dir = osp.join(args.out_dir, 'show')
    os.makedirs(out_dir, exist_ok=True)

    def instances(anns, labels, scores=False):
        inst = InstanceData(
            bboxes=torch.tensor([[x, y, x + w, y + h] for x, y, w, h in
                                 (a['bbox'] for a in anns)], dtype=torch.float32).reshape(-1, 4),
            labels=torch.tensor([labels[a['category_id']] for a in anns], dtype=torch.long))
        if scores:
            inst.scores = torch.tensor([a['score'] for a in anns], dtype=torch.float32)
        return inst

    for im in pseudo['images'][:args.show]:
        img = mmcv.imread(osp.join(args.img_dir, im['file_name']), channel_order='rgb')
        sample = DetDataSample()
        gid = gt_by_name[im['file_name']]
        sample.gt_instances = instances(
            [a for a in gt['annotations'] if a['image_id'] == gid], gt_label)
        sample.pred_instances = instances(
            [a for a in pseudo['annotations'] if a['image_id'] == im['id'] and
             a['score'] >= thr], ps_label, scores=True)
        vis.add_datasample(im['file_name'], np.ascontiguousarray(img), sample, pred_score_thr=thr,
                           out_file=osp.join(out_dir, osp.basename(im['file_name'])))


def main(argv=None):
    args = parse_args(argv)
    pseudo, gt = _load(args.pseudo, 'pseudo-label file'), _load(args.gt, 'ground-truth file')
    report = pseudo_label_quality(pseudo, gt, sorted(args.thresholds))
    table = quality_markdown(report)
    print(f'{report["images"]} images\n{table}', end='')
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        atomic_write_json(report, osp.join(args.out_dir, 'quality.json'), indent=1)
        atomic_write_text(table, osp.join(args.out_dir, 'quality.md'))
        plot_precision_recall(report, osp.join(args.out_dir, 'precision_recall.png'))
        print(f'wrote {args.out_dir}/quality.json, quality.md, precision_recall.png')
    if args.show:
        thrs = sorted(args.thresholds)
        show_images(pseudo, gt, args, thrs[len(thrs) // 2])
        print(f'wrote {min(args.show, len(pseudo["images"]))} images to {args.out_dir}/show')


if __name__ == '__main__':
    run_main(main)
