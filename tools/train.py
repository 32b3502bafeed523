#!/usr/bin/env python
"""Train a model (mmdet's ``tools/train.py``, with CPU distributed runs).

Examples::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
    tools/dist_train.sh CONFIG 8           # torchrun; gloo on CPU-only hosts
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


from projects.utils import UserInputError, load_config, setup_cpu_distributed  # noqa: E402
from tools.lib.cli import CfgOptionsAction, run_main  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a detector or segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='enable automatic-mixed-precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='enable automatically scaling LR')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or, without a value, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, key=value (e.g. '
        'train_cfg.multiplier=2 optim_wrapper.optimizer.lr=0.01)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--check-data', action='store_true',
                        help='check the train/val annotation files and images first '
                        '(tools/misc/check_dataset.py; verdicts are cached)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def resume_checkpoint(work_dir: str):
    """The newest checkpoint in ``work_dir`` that loads; None when there is none.

    Newer files that do not load (truncated by a full disk, half-copied) are
    logged with the reason and skipped, never deleted. When checkpoints exist
    but none loads, one line says so instead of silently starting afresh.
    """
    import glob
    import re

    from mmengine.logging import print_log

    from projects.compat.checkpoint_errors import newest_loadable
    from projects.utils.errors import CheckpointError
    number = lambda p: int(re.search(r'_(\d+)\.pth$', p).group(1))  # noqa: E731
    paths = sorted(glob.glob(osp.join(work_dir, 'iter_*.pth')) +
                   glob.glob(osp.join(work_dir, 'epoch_*.pth')), key=number, reverse=True)
    if not paths:
        return None
    path, skipped = newest_loadable(paths)
    for bad, reason in skipped:
        print_log(f'--resume: skipped {osp.basename(bad)} (kept on disk): {reason}',
                  logger='current', level=30)
    if path is None:
        raise CheckpointError(f'--resume: none of the {len(paths)} checkpoints in {work_dir} '
                              f'loads (newest: {skipped[0][1]}); nothing was deleted')
    if skipped:
        print_log(f'--resume: resuming from {osp.basename(path)}', logger='current')
    return path


def build_train_cfg(args):
    """Load the config and apply the command-line flags (mmdet semantics)."""
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise UserInputError(f'{args.config}: --auto-scale-lr needs '
                                 'auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, resume_checkpoint(cfg.work_dir)
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise UserInputError(f'--resume checkpoint not found: {args.resume}')
        cfg.resume, cfg.load_from = True, args.resume
    if cfg.get('load_from') and '://' not in cfg.load_from and not osp.isfile(cfg.load_from):
        raise UserInputError(f'load_from checkpoint not found: {cfg.load_from}')
    return cfg


def check_images_first(cfg) -> None:
    """``--check-data``: every train/val image is checked (cached) before the run."""
    from tools.misc.check_dataset import CACHE, WORKERS, run_checks
    bad = run_checks(cfg, ['train', 'val'], full=False, workers=WORKERS, cache_path=CACHE)
    if bad:
        raise UserInputError(f'--check-data: {len(bad)} bad image(s), first {bad[0][0]}: '
                             f'{bad[0][1]}; fix or remove them before training')


def main(argv=None):
    args = parse_args(argv)
    cfg = build_train_cfg(args)
    setup_cpu_distributed(cfg, args.launcher)
    from tools.lib.data_check import check_coco_datasets, check_train_sampler
    check_train_sampler(cfg)
    check_coco_datasets(cfg)  # bad annotation files: one line, before any worker starts
    if args.check_data:
        check_images_first(cfg)
    from projects.utils.unreadable_images import use_work_dir
    use_work_dir(cfg.work_dir)  # skipped images are recorded here, by every worker
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.train()


if __name__ == '__main__':
    run_main(main)
