#!/usr/bin/env python
"""Evaluate a checkpoint (mmdet's ``tools/test.py``; also serves mmseg configs).

Examples::

    python tools/test.py CONFIG CHECKPOINT [--out results.pkl] [--tta]
    tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


from projects.utils import UserInputError, load_config, setup_cpu_distributed  # noqa: E402
from tools.lib.cli import CfgOptionsAction, run_main  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument('--out', type=str,
                        help='dump predictions to a pickle file (.pkl) for offline evaluation')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='dir to save the painted images, '
                        'relative to the work dir\'s timestamp folder')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--tta', action='store_true',
                        help="test-time augmentation: the config's tta_model and tta_pipeline")
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def _trigger_visualization_hook(cfg, args):
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise UserInputError(f'{args.config}: --show/--show-dir need '
                             'default_hooks.visualization in the config')
    hook['draw'] = True
    if args.show:
        hook['show'], hook['wait_time'] = True, args.wait_time
    if args.show_dir:
        key = 'test_out_dir' if cfg.get('default_scope') == 'mmdet' else 'img_out_dir'
        hook[key] = args.show_dir
        if cfg.get('default_scope') == 'mmseg':
            hook['interval'] = 1
    return cfg


def build_test_cfg(args):
    cfg = load_config(args.config, args.cfg_options)
    if not osp.isfile(args.checkpoint) and '://' not in args.checkpoint:
        raise UserInputError(f'checkpoint not found: {args.checkpoint}')
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise UserInputError(f'--out must end in .pkl or .pickle, got {args.out}')
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        cfg = _trigger_visualization_hook(cfg, args)
    if args.tta:
        if cfg.get('default_scope') != 'mmdet':
            raise UserInputError('--tta is implemented for detection configs')
        from tools.lib.tta import apply_det_tta
        cfg = apply_det_tta(cfg)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = build_test_cfg(args)
    setup_cpu_distributed(cfg, args.launcher)
    from projects.apis.inference import check_checkpoint_fits
    check_checkpoint_fits(cfg, args.checkpoint, args.config)  # another architecture: one line
    from tools.lib.data_check import check_coco_datasets
    check_coco_datasets(cfg, ('test_dataloader',))  # a bad annotation file: one line
    from projects.utils.unreadable_images import use_work_dir
    use_work_dir(cfg.work_dir)  # skipped images are recorded here, by every worker
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        if cfg.get('default_scope') == 'mmdet':
            from mmdet.evaluation import DumpDetResults as Dump
        else:
            from mmengine.evaluator import DumpResults as Dump
        runner.test_evaluator.metrics.append(Dump(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    run_main(main)
