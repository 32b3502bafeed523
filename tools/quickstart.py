#!/usr/bin/env python
"""The README's main job: train a small GN detector from random init on the
demo data (CPU), evaluate it with the COCO metric, print a table and write a
learning curve into the work dir.

    python tools/quickstart.py [--work-dir work_dirs/quickstart] [--data-dir data/demo]

Every step runs the real tools (tools/train.py, tools/test.py) as a user
would; finished steps are skipped on a second run.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--data-dir', default='data/demo')
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed on to tools/train.py')
    return parser.parse_args(argv)


def step(title, cmd):
    print(f'\n==> {title}\n    $ {" ".join(cmd)}', flush=True)
    start = time.time()
    subprocess.run([sys.executable] + cmd, cwd=ROOT, check=True)
    print(f'    ({time.time() - start:.0f} s)', flush=True)


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    work = osp.join(ROOT, args.work_dir)
    if not osp.exists(osp.join(ROOT, args.data_dir, 'DONE.json')):
        step('generate demo data', ['tools/misc/make_demo_data.py', '--out-dir',
                                    args.data_dir, '--num-images', '240', '--seed', '0'])
    cfg_opts = [f'train_dataloader.dataset.data_root={args.data_dir}/',
                f'val_dataloader.dataset.data_root={args.data_dir}/',
                f'test_dataloader.dataset.data_root={args.data_dir}/',
                f'val_evaluator.ann_file={args.data_dir}/annotations/instances_val.json',
                f'test_evaluator.ann_file={args.data_dir}/annotations/instances_val.json'
                ] + args.cfg_options
    ckpt = osp.join(work, 'iter_600.pth')
    if not osp.exists(ckpt):
        resume = ['--resume'] if osp.exists(osp.join(work, 'last_checkpoint')) else []
        step('train RetinaNet-R18/2-GN from random init (CPU)',
             ['tools/train.py', args.config, '--work-dir', args.work_dir,
              '--cfg-options'] + cfg_opts + resume)
    step('evaluate with the COCO metric',
         ['tools/test.py', args.config, ckpt, '--work-dir', osp.join(args.work_dir, 'test'),
          '--cfg-options'] + cfg_opts)
    step('results table', ['tools/analysis_tools/results_table.py', args.work_dir])
    curve = osp.join(work, 'learning_curve.png')
    with open(osp.join(work, 'curve.json')) as f:
        final = json.load(f)['val'][-1]
    print(f'\nquickstart done in {time.time() - t0:.0f} s: bbox mAP '
          f'{final.get("coco/bbox_mAP", float("nan")):.3f} at iteration {final["iter"]}; '
          f'learning curve: {osp.relpath(curve, ROOT)}')


if __name__ == '__main__':
    main()
