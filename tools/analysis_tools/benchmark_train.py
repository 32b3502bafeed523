#!/usr/bin/env python
"""Benchmark every training mode on this machine, one detector, one batch.

    python tools/analysis_tools/benchmark_train.py [--iters 20] [--warmup 5] [--batch 8] \\
        [--data-dir data/demo] [--amp] [--out results.json]

Step time and peak memory of the same Faster R-CNN (ResNet-18/2, GN, demo data,
128 px, ``--batch`` images per step) trained four ways, each in its own process:

* ``plain``: the supervised detector (all images human-labelled);
* ``offline``: the offline student (``NoisyStudentDetector``: half human, half
  pseudo-labelled, loss normalization);
* ``online``: the online teacher-student (``TeacherStudentDetector``: half
  human, half unlabelled seen as weak + strong views, EMA teacher);
* ``softteacher``: mmdet's own ``SoftTeacher`` on the same batches.

Then pseudo-labelling throughput (``tools/pseudo_label.py``) against
``tools/test.py`` inference of the same model on the same 96 images, and 1
process against 2. Prints a table with the ratios to ``plain``; peak memory is
the process's maximum RSS on the CPU, ``torch.cuda.max_memory_allocated`` on a
GPU.
"""
import argparse
import json
import os
import os.path as osp
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

MODES = ('plain', 'offline', 'online', 'softteacher')
CONFIGS = dict(
    plain='configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py',
    offline='configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py',
    online='configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py',
    softteacher='configs/demo/ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')
FASTER_RCNN = 'configs/_base_/models/mask-rcnn_r18-w32_fpn_gn-all.py'


def faster_rcnn(num_classes: int = 3) -> dict:
    """The benchmark detector: the demo Mask R-CNN without its mask branch."""
    from mmengine.config import Config
    model = Config.fromfile(osp.join(ROOT, FASTER_RCNN)).model.to_dict()
    model['type'] = 'FasterRCNN'
    for key in ('mask_roi_extractor', 'mask_head'):
        model['roi_head'].pop(key)
    model['roi_head']['bbox_head']['num_classes'] = num_classes
    model['train_cfg']['rcnn'].pop('mask_size', None)
    return model


def build_cfg(mode: str, args, work_dir: str):
    """The config of one mode, on ``args.data_dir`` with ``args.batch``."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[mode]))
    data = osp.abspath(args.data_dir) + '/'
    loader = cfg.train_dataloader
    if mode == 'plain':  # the students' augmentation (S1), all images human-labelled
        cfg.model = faster_rcnn()
        loader.dataset.data_root = data
        loader.dataset.pipeline = [
            dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
            dict(type='StrengthAugment', strength='S1', scale=(128, 128)),
            dict(type='PackDetInputs')]
    else:
        cfg.model.detector = faster_rcnn()
        cfg.model.pop('data_preprocessor', None)
        loader.sampler.batch_size = args.batch
        loader.dataset.human.data_root = loader.dataset.pseudo.data_root = data
    if mode == 'offline':  # the labelled json stands in for a pseudo-label file
        loader.dataset.pseudo.ann_file = 'annotations/instances_train_labeled.json'
        loader.dataset.pseudo.data_prefix = dict(img='images/')
    if mode == 'softteacher':  # mmdet's SoftTeacher, its own defaults
        cfg.model = dict(type='SoftTeacher', detector=cfg.model.detector,
                         data_preprocessor=dict(type='MultiBranchDataPreprocessor',
                                                data_preprocessor=cfg.model.detector.data_preprocessor),
                         semi_train_cfg=dict(freeze_teacher=True, sup_weight=1.0, unsup_weight=4.0,
                                             pseudo_label_initial_score_thr=0.5, rpn_pseudo_thr=0.9,
                                             cls_pseudo_thr=0.9, reg_pseudo_thr=0.02,
                                             jitter_times=10, jitter_scale=0.06,
                                             min_pseudo_bbox_wh=(1e-2, 1e-2)),
                         semi_test_cfg=dict(predict_on='teacher'))
    loader.batch_size = args.batch
    return train_only(cfg, args.warmup + args.iters, work_dir, args.amp)


def train_only(cfg, iters: int, work_dir: str, amp: bool = False):
    """``cfg`` reduced to ``iters`` timed training steps: constant LR, no
    validation, test, checkpoint or log output, only the EMA teacher's hook."""
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=10 ** 9)
    cfg.param_scheduler = []
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None  # train steps only
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10 ** 9)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10 ** 9)
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', []) if h['type'] == 'MeanTeacherHook']
    cfg.work_dir = work_dir
    if amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
    return cfg


def run_mode(mode: str, args) -> dict:
    """Train ``warmup + iters`` steps in this process; time the last ``iters``."""
    import torch
    from mmengine.runner import Runner
    import projects.register  # noqa: F401
    with tempfile.TemporaryDirectory() as work:
        runner = Runner.from_cfg(build_cfg(mode, args, work))
        runner.train()
        times = runner.message_hub.get_scalar('train/time').data[0][args.warmup:]
    if torch.cuda.is_available():
        peak = torch.cuda.max_memory_allocated() / 2 ** 20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(mode=mode, step_s=float(sum(times) / len(times)), peak_mb=float(peak))


def _child(mode: str, args) -> dict:
    """One mode in its own process (``PYTHON``'s interpreter when set, as the
    stages of the other tools)."""
    from projects.selftrain.stage_runner import python
    with tempfile.NamedTemporaryFile(suffix='.json') as f:
        cmd = [python(), __file__, '--mode', mode, '--result', f.name,
               '--iters', str(args.iters), '--warmup', str(args.warmup),
               '--batch', str(args.batch), '--data-dir', args.data_dir] + \
            (['--amp'] if args.amp else [])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'{mode} failed:\n{proc.stderr[-3000:]}')
        return json.load(open(f.name))


def _timed(cmd, env=None) -> str:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, **(env or {})))
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-3000:]}')
    return proc.stdout + proc.stderr


def labelling_throughput(args) -> dict:
    """img/s of pseudo_label.py (1 and 2 processes) and of test.py inference."""
    config, data = CONFIGS['plain'], osp.abspath(args.data_dir)
    with tempfile.TemporaryDirectory() as work:
        opts = [f'train_dataloader.dataset.data_root={data}/', 'train_cfg.max_iters=1',
                f'test_dataloader.dataset.data_root={data}/',
                'test_dataloader.dataset.ann_file=annotations/instances_train_unlabeled.json',
                f'test_evaluator.ann_file={data}/annotations/instances_train_unlabeled.json',
                'test_evaluator.format_only=True',
                f'test_evaluator.outfile_prefix={work}/res', 'test_dataloader.batch_size=2',
                'test_dataloader.dataset.data_prefix.img=unlabeled/']
        val = [f'val_dataloader.dataset.data_root={data}/',  # train.py checks the val json too
               f'val_evaluator.ann_file={data}/annotations/instances_val.json']
        _timed([sys.executable, 'tools/train.py', config, '--work-dir', work, '--cfg-options']
               + opts[:2] + val)
        ckpt = osp.join(work, 'iter_1.pth')
        log = _timed([sys.executable, 'tools/test.py', config, ckpt, '--work-dir', work,
                      '--cfg-options'] + opts[2:])
        test_s = [float(t) for t in re.findall(r'Iter\(test\) \[\s*\d+/\d+\].*?\btime: ([\d.]+)',
                                               log)]
        label = [sys.executable, 'tools/pseudo_label.py', config, ckpt, '--img-dir',
                 f'{data}/unlabeled', '--batch-size', '2', '--num-workers', '0']
        one = _timed(label + ['--out', f'{work}/p1.json'])
        two = _timed(['bash', 'tools/dist_pseudo_label.sh', config, ckpt, '2', '--img-dir',
                      f'{data}/unlabeled', '--batch-size', '2', '--num-workers', '0',
                      '--out', f'{work}/p2.json'], env=dict(PYTHON=sys.executable))
    rate = lambda out: float(re.search(r'([\d.]+) img/s on rank 0', out).group(1))  # noqa: E731
    # test.py logs the mean time per batch of 2; its last logged value covers the run
    test_rate = 2 / test_s[-1] if test_s else float('nan')
    return dict(test_img_s=test_rate, label_img_s=rate(one), label2_img_s=2 * rate(two),
                images=len(os.listdir(f'{data}/unlabeled')))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--data-dir', default='data/demo')
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--out', help='also write the figures as JSON here')
    parser.add_argument('--mode', choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument('--result', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mode:  # a child process: one mode
        with open(args.result, 'w') as f:
            json.dump(run_mode(args.mode, args), f)
        return
    if not osp.exists(osp.join(args.data_dir, 'DONE.json')):
        from tools.misc.make_demo_data import generate
        generate(args.data_dir, num_images=240, seed=0)
    start = time.time()
    rows = [_child(mode, args) for mode in MODES]
    base = rows[0]
    print(f'\nTraining, batch {args.batch}, 128 px, mean of {args.iters} steps after '
          f'{args.warmup}:\n\n| mode | step (s) | vs plain | peak memory (MB) | vs plain |\n'
          '|---|---|---|---|---|')
    for r in rows:
        r['step_ratio'] = r['step_s'] / base['step_s']
        r['mem_ratio'] = r['peak_mb'] / base['peak_mb']
        print(f'| {r["mode"]} | {r["step_s"]:.3f} | {r["step_ratio"]:.2f} | '
              f'{r["peak_mb"]:.0f} | {r["mem_ratio"]:.2f} |')
    lab = labelling_throughput(args)
    print(f'\nInference on {lab["images"]} images: tools/test.py {lab["test_img_s"]:.1f} img/s, '
          f'tools/pseudo_label.py {lab["label_img_s"]:.1f} img/s '
          f'({lab["label_img_s"] / lab["test_img_s"]:.2f}x), 2 processes '
          f'{lab["label2_img_s"]:.1f} img/s ({lab["label2_img_s"] / lab["label_img_s"]:.2f}x '
          f'of 1); {time.time() - start:.0f} s in all')
    if args.out:
        from projects.utils.io import atomic_write_json
        atomic_write_json(dict(training=rows, labelling=lab, args=vars(args)), args.out, indent=1)


if __name__ == '__main__':
    main()
