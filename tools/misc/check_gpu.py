#!/usr/bin/env python
"""Check a machine for GPU training: environment, mmcv's ops, a few real steps.

    python tools/misc/check_gpu.py [--iters 30] [--warmup 5] [--data-dir data/demo] \\
        [--no-amp] [--no-dist] [--out check_gpu.json]
    python tools/misc/check_gpu.py --ops-only     # what `make setup` runs after install

1. Environment: GPUs, driver, torch / CUDA / cuDNN, mmcv and the CUDA it compiled.
2. Ops: ``batched_nms``, ``RoIAlign`` and ``sigmoid_focal_loss`` on each device
   this mmcv has kernels for; CUDA results compared with the CPU (focal loss has
   no CPU kernel in mmcv and is compared with its PyTorch formula). A CPU-ops
   mmcv on a machine with a GPU fails here, in one line, instead of at training
   iteration 1 (``nms_impl: implementation for device cuda:0 not found``).
3. With a GPU: ``--iters`` steps of a small RetinaNet and a small Mask R-CNN on
   generated demo data, fp32 and AMP, with step time and peak memory; with two
   or more GPUs, a 2-process NCCL run through ``tools/dist_train.sh``.

Ends in one verdict line. Without a GPU it says so and exits 0.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TOL = 1e-4
MODELS = dict(
    retinanet='configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py',
    mask_rcnn='configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py')


def environment() -> Dict[str, object]:
    """What this machine and its packages say about CUDA."""
    import mmcv
    import torch
    from mmcv.ops import get_compiler_version, get_compiling_cuda_version

    from tools.misc.cuda_setup import probe_smi
    smi = probe_smi()
    gpus = [dict(name=torch.cuda.get_device_name(i),
                 capability='%d.%d' % torch.cuda.get_device_capability(i),
                 memory_gb=round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1))
            for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    return dict(torch=torch.__version__, torch_cuda=torch.version.cuda,
                cudnn=torch.backends.cudnn.version() if torch.cuda.is_available() else None,
                driver=smi.driver, smi_gpus=smi.gpus, gpus=gpus, mmcv=mmcv.__version__,
                mmcv_cuda=get_compiling_cuda_version(), mmcv_compiler=get_compiler_version())


# ----------------------------------------------------------------------------- ops
def _inputs(device: str):
    import torch
    g = torch.Generator().manual_seed(0)
    xy = torch.rand(200, 2, generator=g) * 100
    wh = torch.rand(200, 2, generator=g) * 40 + 2
    boxes = torch.cat([xy, xy + wh], 1)
    scores = torch.rand(200, generator=g)
    idxs = torch.randint(0, 3, (200,), generator=g)
    feats = torch.rand(2, 8, 32, 32, generator=g)
    rois = torch.cat([torch.randint(0, 2, (30, 1), generator=g).float(),
                      torch.rand(30, 2, generator=g) * 100,
                      torch.rand(30, 2, generator=g) * 100 + 120], 1)
    logits = torch.randn(64, 5, generator=g)
    labels = torch.randint(0, 5, (64,), generator=g)
    to = lambda *ts: [t.to(device) for t in ts]  # noqa: E731
    return to(boxes, scores, idxs), to(feats, rois), to(logits, labels)


def focal_reference(logits, labels, gamma: float = 2.0, alpha: float = 0.25):
    """mmcv's sigmoid focal loss (reduction 'mean') in plain PyTorch."""
    import torch.nn.functional as F
    target = F.one_hot(labels, logits.shape[1]).type_as(logits)
    p = logits.sigmoid()
    pt = (1 - p) * target + p * (1 - target)
    weight = (alpha * target + (1 - alpha) * (1 - target)) * pt.pow(gamma)
    return (F.binary_cross_entropy_with_logits(logits, target, reduction='none')
            * weight).sum() / logits.numel()


def run_ops(device: str) -> Dict[str, object]:
    """Each op's output on ``device`` (as CPU tensors), or the error it raised."""
    from mmcv.ops import RoIAlign, batched_nms, sigmoid_focal_loss
    (boxes, scores, idxs), (feats, rois), (logits, labels) = _inputs(device)
    calls: Dict[str, Callable] = dict(
        batched_nms=lambda: batched_nms(boxes, scores, idxs, dict(type='nms',
                                                                  iou_threshold=0.5))[0],
        roi_align=lambda: RoIAlign((7, 7), 1 / 4, sampling_ratio=2, aligned=True)(feats, rois),
        sigmoid_focal_loss=lambda: sigmoid_focal_loss(logits, labels, 2.0, 0.25, None, 'mean'))
    out = {}
    for name, call in calls.items():
        try:
            out[name] = call().detach().cpu()
        except (RuntimeError, NotImplementedError) as e:
            out[name] = str(e).strip().splitlines()[0] if str(e).strip() else repr(e)
    return out


def op_table(cuda: bool) -> List[Dict[str, object]]:
    """One row per op: its CPU and CUDA status and the largest CUDA-vs-CPU difference."""
    (_, _, _), _, (logits, labels) = _inputs('cpu')
    cpu = run_ops('cpu')
    cpu['sigmoid_focal_loss_ref'] = focal_reference(logits, labels)
    gpu = run_ops('cuda') if cuda else {}
    rows = []
    for name in ('batched_nms', 'roi_align', 'sigmoid_focal_loss'):
        ref = cpu[name]
        if name == 'sigmoid_focal_loss':  # no CPU kernel in mmcv: PyTorch's formula
            ref = cpu['sigmoid_focal_loss_ref']
        row = dict(op=name, cpu='ok' if not isinstance(cpu[name], str) else cpu[name],
                   cuda=None, max_diff=None)
        if cuda:
            got = gpu[name]
            row['cuda'] = 'ok' if not isinstance(got, str) else got
            if row['cuda'] == 'ok' and not isinstance(ref, str):
                row['max_diff'] = float((got.float() - ref.float()).abs().max()) \
                    if got.shape == ref.shape else float('inf')
        rows.append(row)
    return rows


def ops_verdict(rows: List[Dict[str, object]], cuda: bool, env: Dict[str, object]) -> str:
    """'' when the ops are usable here, else the one-line reason."""
    if not cuda:
        bad = [r for r in rows if r['op'] != 'sigmoid_focal_loss' and r['cpu'] != 'ok']
        return f'mmcv op {bad[0]["op"]} fails on the CPU: {bad[0]["cpu"]}' if bad else ''
    failed = [r for r in rows if r['cuda'] != 'ok']
    if failed:
        kind = 'CPU-only ops' if env['mmcv_cuda'] == 'not available' else 'CUDA ops'
        return (f'mmcv {env["mmcv"]} has {kind} and {failed[0]["op"]} fails on the GPU '
                f'({failed[0]["cuda"]}); training would stop at iteration 1. '
                'Rebuild it: rm -rf .venv && make setup')
    wrong = [r for r in rows if r['max_diff'] is None or r['max_diff'] > TOL]
    if wrong:
        return (f'mmcv op {wrong[0]["op"]} differs between CUDA and CPU by '
                f'{wrong[0]["max_diff"]} (tolerance {TOL})')
    return ''


def print_ops(rows) -> None:
    print('| op | CPU | CUDA | max abs diff CUDA vs CPU |\n|---|---|---|---|')
    for r in rows:
        cpu = r['cpu'] if r['op'] != 'sigmoid_focal_loss' or r['cpu'] == 'ok' \
            else 'no mmcv CPU kernel (mmdet uses its PyTorch version on CPU)'
        diff = '' if r['max_diff'] is None else f'{r["max_diff"]:.2e}'
        print(f'| {r["op"]} | {cpu} | {r["cuda"] or "no GPU"} | {diff} |')


# ----------------------------------------------------------------------------- training
def train_cfg(model: str, data_dir: str, iters: int, amp: bool, work_dir: str):
    """A train-only config of ``model`` on the demo data (``iters`` steps, no val)."""
    from mmengine.config import Config

    from tools.analysis_tools.benchmark_train import train_only
    cfg = Config.fromfile(osp.join(ROOT, MODELS[model]))
    ds = cfg.train_dataloader.dataset
    ds.data_root = osp.abspath(data_dir) + '/'
    ds.ann_file, ds.data_prefix = 'annotations/instances_train.json', dict(img='images/')
    ds.metainfo = dict(classes=('circle', 'square', 'triangle'))
    heads = [cfg.model.get('bbox_head')] + [cfg.model.get('roi_head', {}).get(k)
                                            for k in ('bbox_head', 'mask_head')]
    for head in filter(None, heads):
        head.num_classes = 3
    return train_only(cfg, iters, work_dir, amp)


def train_child(model: str, args) -> Dict[str, object]:
    import torch
    from mmengine.runner import Runner

    import projects.register  # noqa: F401
    with tempfile.TemporaryDirectory() as work:
        runner = Runner.from_cfg(train_cfg(model, args.data_dir, args.warmup + args.iters,
                                           args.amp, work))
        runner.train()
        times = runner.message_hub.get_scalar('train/time').data[0][args.warmup:]
    return dict(model=model, amp=args.amp, step_s=float(sum(times) / len(times)),
                peak_mb=torch.cuda.max_memory_allocated() / 2**20)


def _run_child(model: str, amp: bool, args) -> Dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix='.json') as f:
        cmd = [sys.executable, __file__, '--child', model, '--result', f.name,
               '--iters', str(args.iters), '--warmup', str(args.warmup),
               '--data-dir', args.data_dir] + (['--amp'] if amp else [])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ['?'])[-1]
            return dict(model=model, amp=amp, error=tail)
        return json.load(open(f.name))


def dist_check(args) -> Dict[str, object]:
    """2 processes (NCCL) of the RetinaNet through tools/dist_train.sh."""
    with tempfile.TemporaryDirectory() as work:
        data = osp.abspath(args.data_dir) + '/'
        cmd = ['bash', 'tools/dist_train.sh', MODELS['retinanet'], '2', '--work-dir', work,
               '--cfg-options', f'train_dataloader.dataset.data_root={data}',
               'train_cfg.base_iters=10', 'train_cfg.multiplier=1',
               'train_cfg.val_interval=1000000', 'train_cfg.checkpoint_interval=1000000']
        start = time.time()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                              env=dict(os.environ, PYTHON=sys.executable))
        ok = proc.returncode == 0 and osp.exists(osp.join(work, 'iter_10.pth'))
        tail = (proc.stderr.strip().splitlines() or [''])[-1]
        return dict(ok=ok, seconds=round(time.time() - start, 1), error='' if ok else tail)


# ----------------------------------------------------------------------------- main
def synthetic_coco(out_dir: str, num_images: int, size, seed: int = 0) -> str:
    """``num_images`` JPEGs of ``size`` (w, h) with 3-8 boxes and polygon masks each, as
    COCO json; returns the json's path. Noise and rectangles: decode and augmentation
    cost what real photos of that size cost, which is what is measured."""
    import cv2
    import numpy as np
    rng = np.random.default_rng(seed)
    w, h = size
    os.makedirs(osp.join(out_dir, 'images'), exist_ok=True)
    images, anns = [], []
    for i in range(num_images):
        img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
        for _ in range(int(rng.integers(3, 9))):
            x, y = int(rng.integers(0, w - w // 8)), int(rng.integers(0, h - h // 8))
            bw, bh = int(rng.integers(w // 32, w // 8)), int(rng.integers(h // 32, h // 8))
            img[y:y + bh, x:x + bw] = rng.integers(0, 255, 3)
            anns.append(dict(id=len(anns) + 1, image_id=i + 1, category_id=1, iscrowd=0,
                             bbox=[x, y, bw, bh], area=bw * bh,
                             segmentation=[[x, y, x + bw, y, x + bw, y + bh, x, y + bh]]))
        cv2.imwrite(osp.join(out_dir, 'images', f'{i}.jpg'), img)
        images.append(dict(id=i + 1, file_name=f'{i}.jpg', width=w, height=h))
    path = osp.join(out_dir, 'train.json')
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=[dict(id=1, name='thing')]), f)
    return path


def data_loading_rates(size=(1333, 800), num_images: int = 16, repeats: int = 2,
                       strengths=('S1', 'S2', 'S3', 'S4')) -> List[Dict[str, object]]:
    """Images/s one data worker prepares for each strength at ``size`` (w, h), with
    masks: our training pipeline (load, boxes and masks, ``StrengthAugment``, pack)
    over synthetic images of that size, timed in this process."""
    import tempfile
    import time
    from mmengine.registry import init_default_scope
    import projects.register  # noqa: F401  (registers StrengthAugment and the loader)
    from mmdet.registry import DATASETS
    init_default_scope('mmdet')
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ann = synthetic_coco(tmp, num_images, size)
        for strength in strengths:
            dataset = DATASETS.build(dict(
                type='CocoDataset', data_root=tmp + '/', ann_file=ann,
                data_prefix=dict(img='images/'), metainfo=dict(classes=('thing', )),
                pipeline=[dict(type='SafeLoadImageFromFile'),
                          dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                          dict(type='StrengthAugment', strength=strength, scale=tuple(size)),
                          dict(type='PackDetInputs')]))
            dataset[0]  # warm-up
            start = time.perf_counter()
            for _ in range(repeats):
                for i in range(len(dataset)):
                    dataset[i]
            rate = repeats * len(dataset) / (time.perf_counter() - start)
            rows.append(dict(strength=strength, size=f'{size[0]}x{size[1]}', masks=True,
                             images_per_s_per_worker=round(rate, 2)))
    return rows


def print_data_rates(rows, gpu_images_per_s: Optional[float] = None) -> None:
    print('\nData loading, one worker (synthetic images with masks):\n'
          '| strength | size | images/s per worker | workers to feed the GPU |\n|---|---|---|---|')
    for r in rows:
        need = '-' if not gpu_images_per_s else \
            str(max(1, -(-int(gpu_images_per_s * 100) // int(r['images_per_s_per_worker'] * 100))))
        print(f'| {r["strength"]} | {r["size"]} | {r["images_per_s_per_worker"]} | {need} |')


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ops-only', action='store_true', help='environment and ops only')
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--data-dir', default='data/demo')
    parser.add_argument('--no-amp', action='store_true', help='fp32 runs only')
    parser.add_argument('--no-dist', action='store_true', help='skip the 2-GPU run')
    parser.add_argument('--out', help='also write everything as JSON here')
    parser.add_argument('--paper-size', action='store_true',
                        help="He et al.'s R50-FPN Mask R-CNN at 1333x800 (fp32, AMP, student "
                        'and teacher-student ratios, on a GPU) and the data pipelines S1-S4 '
                        '(images/s per worker, on the CPU too); --out also gets a .md table')
    parser.add_argument('--child', choices=sorted(MODELS), help=argparse.SUPPRESS)
    parser.add_argument('--amp', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--result', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with open(args.result, 'w') as f:
            json.dump(train_child(args.child, args), f)
        return 0

    import torch
    env = environment()
    cuda = torch.cuda.is_available()
    gpus = ', '.join(f'{g["name"]} (sm_{g["capability"].replace(".", "")}, '
                     f'{g["memory_gb"]} GB)' for g in env['gpus']) or 'none visible to torch'
    print(f'GPUs: {gpus}; nvidia-smi: {len(env["smi_gpus"])} GPU(s), driver '
          f'{env["driver"] or "-"}\ntorch {env["torch"]} (CUDA {env["torch_cuda"]}, cuDNN '
          f'{env["cudnn"]}); mmcv {env["mmcv"]} ops compiled with CUDA {env["mmcv_cuda"]} '
          f'({env["mmcv_compiler"]})')
    rows = op_table(cuda)
    print_ops(rows)
    report = dict(environment=env, ops=rows)
    problem = ops_verdict(rows, cuda, env)
    if problem and cuda and os.environ.get('SETUP_CUDA') == '0':
        print(f'warning: {problem} (SETUP_CUDA=0 asked for CPU ops)')
        print('verdict: CPU ops as asked (SETUP_CUDA=0); GPU training needs CUDA ops')
        return 0
    if not problem and cuda and not args.ops_only:
        if not osp.exists(osp.join(args.data_dir, 'DONE.json')):
            from tools.misc.make_demo_data import generate
            generate(args.data_dir, num_images=240, seed=0)
        runs = [_run_child(m, amp, args) for m in MODELS
                for amp in ((False,) if args.no_amp else (False, True))]
        print(f'\nTraining, {args.iters} steps after {args.warmup} (demo data, 128 px):\n'
              '| model | precision | step (s) | peak memory (MB) |\n|---|---|---|---|')
        for r in runs:
            prec = 'AMP' if r['amp'] else 'fp32'
            print(f'| {r["model"]} | {prec} | ' + (f'{r["step_s"]:.3f} | {r["peak_mb"]:.0f} |'
                  if 'error' not in r else f'failed: {r["error"]} | |'))
        report['training'] = runs
        bad = [r for r in runs if 'error' in r]
        problem = f'{bad[0]["model"]} training failed: {bad[0]["error"]}' if bad else ''
        if not problem and len(env['gpus']) >= 2 and not args.no_dist:
            report['dist'] = d = dist_check(args)
            print(f'2-process NCCL run: {"ok" if d["ok"] else "failed"} ({d["seconds"]} s)')
            problem = '' if d['ok'] else f'2-process NCCL training failed: {d["error"]}'
    if args.paper_size and not problem:
        report['data_loading'] = data_loading_rates()
        if cuda:
            from tools.lib.paper_size_steps import (goals, labelling_rates, markdown,
                                                    paper_size_steps)
            rows = report['paper_size'] = paper_size_steps('cuda', args.iters, args.warmup,
                                                           amp=not args.no_amp)
            report['labelling'] = labelling_rates('cuda')
            table = markdown(rows, env['gpus'][0]['name']) + (
                f"\nAt batch 2: pseudo_label.py's way {report['labelling']['label_img_s']} img/s, "
                f"test.py's {report['labelling']['test_img_s']} img/s.\n")
            print('\n' + table)
            report['goals'] = goals(rows, report['data_loading'], report['labelling'])
            print('\n'.join(f'goal: {g}' for g in report['goals']))
            if args.out:
                from projects.utils.io import atomic_write_text
                atomic_write_text(table, osp.splitext(args.out)[0] + '.md')
        gpu_rate = 4 / next(r['step_s'] for r in report.get('paper_size', [])
                            if r['images'] == 4) if report.get('paper_size') else None
        print_data_rates(report['data_loading'], gpu_rate)
        if not cuda:
            print('paper size: no CUDA GPU, so no model step timed at 1333x800 (the data side '
                  'above is this CPU\'s)')
    if args.out:
        from projects.utils.io import atomic_write_json
        atomic_write_json(report, args.out, indent=1)
    if problem:
        print(f'error: {problem}', file=sys.stderr)
        return 1
    if not cuda:
        print('verdict: no CUDA GPU visible to torch; CPU ops work (nothing to check on a GPU)')
    elif args.ops_only:
        print(f'verdict: mmcv CUDA ops match the CPU on {env["gpus"][0]["name"]}')
    else:
        print(f'verdict: ready for GPU training on {len(env["gpus"])} x {env["gpus"][0]["name"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
