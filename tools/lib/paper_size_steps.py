"""Step time and peak memory of He et al.'s Mask R-CNN at paper size, plain against
our offline student and online EMA teacher-student (``check_gpu.py --paper-size``).

Everything runs in this process on synthetic batches: images of ``size`` with
3 boxes and masks each, so that what is timed is the model, not a loader.
"""
import os.path as osp
import time
from typing import Dict, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAPER_MODEL = 'configs/rethink_imagenet/sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py'
TINY_MODEL = 'configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py'
EMA_MOMENTUM = 0.0002  # mmdet's MeanTeacherHook default: the student's weight per step


def _samples(n: int, size: Tuple[int, int], num_classes: int, **meta):
    """``n`` (image, DetDataSample) pairs of ``size`` (w, h) with 3 boxes and masks."""
    import numpy as np
    import torch
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    w, h = size
    gen = torch.Generator().manual_seed(n)
    out = []
    for _ in range(n):
        img = torch.randint(0, 255, (3, h, w), dtype=torch.uint8, generator=gen)
        x1 = torch.rand(3, generator=gen) * w * 0.5
        y1 = torch.rand(3, generator=gen) * h * 0.5
        boxes = torch.stack([x1, y1, x1 + w * 0.3, y1 + h * 0.3], 1)
        masks = np.zeros((3, h, w), np.uint8)
        for k, (a, b, c, d) in enumerate(boxes.int().tolist()):
            masks[k, b:d, a:c] = 1
        sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                             scale_factor=(1.0, 1.0),
                                             homography_matrix=np.eye(3, dtype=np.float32),
                                             **meta))
        sample.gt_instances = InstanceData(
            bboxes=boxes, labels=torch.randint(0, num_classes, (3,), generator=gen),
            masks=BitmapMasks(masks, h, w))
        out.append((img, sample))
    return out


def _batch(mode: str, images: int, size, num_classes: int) -> dict:
    """The data of one step of ``mode`` with ``images`` images in all."""
    def pack(pairs):
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if mode == 'plain':
        inputs, samples = pack(_samples(images, size, num_classes))
        return dict(inputs=inputs, data_samples=samples)
    half = images // 2
    if mode == 'offline':
        inputs, samples = pack(_samples(half, size, num_classes, source='human') +
                               _samples(half, size, num_classes, source='pseudo'))
        return dict(inputs=inputs, data_samples=samples)
    sup = pack(_samples(half, size, num_classes))
    weak = pack(_samples(half, size, num_classes))
    strong = pack(_samples(half, size, num_classes))
    return dict(inputs=dict(sup=sup[0], unsup_teacher=weak[0], unsup_student=strong[0]),
                data_samples=dict(sup=sup[1], unsup_teacher=weak[1], unsup_student=strong[1]))


def _model(mode: str, detector: dict):
    import copy
    from mmdet.registry import MODELS
    from mmengine.config import ConfigDict
    detector = ConfigDict(copy.deepcopy(detector))
    if mode == 'plain':
        return MODELS.build(detector)
    if mode == 'offline':
        return MODELS.build(ConfigDict(type='NoisyStudentDetector', detector=detector))
    return MODELS.build(ConfigDict(type='TeacherStudentDetector', detector=detector,
                                   teacher_kind='ema', semi_train_cfg=dict(score_thr=0.0)))


def _detector_and_size(tiny: bool, size: Optional[Tuple[int, int]]) -> Tuple[dict, tuple]:
    """The model config (He et al.'s, or ``tiny``: the demo's narrow Mask R-CNN)
    as a dict, in mmdet's scope, and the image size (w, h): ``size``, or
    1333x800 (128x96 for ``tiny``)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    import projects.register  # noqa: F401
    init_default_scope('mmdet')
    cfg = Config.fromfile(osp.join(ROOT, TINY_MODEL if tiny else PAPER_MODEL))
    return cfg.model.to_dict(), size or ((128, 96) if tiny else (1333, 800))


def _mean_seconds(step, iters: int, warmup: int, cuda: bool) -> float:
    """Mean wall time of ``step()`` over ``iters`` calls after ``warmup``, the
    device synchronised around each call."""
    import torch
    times = []
    for i in range(warmup + iters):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def time_mode(mode: str, detector: dict, images: int, size, iters: int, warmup: int,
              amp: bool, device: str) -> Dict[str, object]:
    """Seconds per training step and peak memory of ``mode`` on one device."""
    import torch
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    from mmengine.model import revert_sync_batchnorm
    # the modules' own initialisation (init_weights only changes the numbers, not the cost)
    model = revert_sync_batchnorm(_model(mode, detector)).to(device).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=1e-4, momentum=0.9)
    wrapper = AmpOptimWrapper(optimizer=optimizer) if amp else OptimWrapper(optimizer=optimizer)
    num_classes = detector['roi_head']['bbox_head']['num_classes']
    data = _batch(mode, images, size, num_classes)
    cuda = device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()

    def step():
        model.train_step(data, wrapper)
        if mode == 'online':  # MeanTeacherHook's update, part of the step's cost
            with torch.no_grad():
                for t, s in zip(model.teacher.parameters(), model.student.parameters()):
                    t.mul_(1 - EMA_MOMENTUM).add_(s.detach(), alpha=EMA_MOMENTUM)
    seconds = _mean_seconds(step, iters, warmup, cuda)
    peak = torch.cuda.max_memory_allocated() / 2 ** 20 if cuda else None
    return dict(mode=mode, images=images, amp=amp, step_s=round(seconds, 4),
                peak_mb=round(peak) if peak else None)


def paper_size_steps(device: str, iters: int = 20, warmup: int = 5, tiny: bool = False,
                     amp: bool = True, size: Optional[Tuple[int, int]] = None
                     ) -> List[Dict[str, object]]:
    """He et al.'s R50-FPN Mask R-CNN GN (scratch) at 1333x800: batch 2, fp32 (and AMP);
    then plain, offline student (2 human + 2 pseudo) and online EMA teacher-student
    (2 labelled + 2 unlabelled) at 4 images a step, for their ratios. The online
    teacher keeps every detection (``score_thr`` 0): an upper bound on the cost of
    moving pseudo boxes and masks between views. ``tiny``: the demo's narrow Mask
    R-CNN at 128x96 (the CPU test). ``size`` (w, h) overrides either size."""
    import torch
    torch.backends.cudnn.benchmark = True
    detector, size = _detector_and_size(tiny, size)
    rows = [time_mode('plain', detector, 2, size, iters, warmup, False, device)]
    if amp and device.startswith('cuda'):
        rows.append(time_mode('plain', detector, 2, size, iters, warmup, True, device))
    for mode in ('plain', 'offline', 'online'):
        rows.append(time_mode(mode, detector, 4, size, iters, warmup, False, device))
    return rows


def labelling_rates(device: str, iters: int = 10, warmup: int = 2, tiny: bool = False,
                    score_thr: float = 0.0, size: Optional[Tuple[int, int]] = None
                    ) -> Dict[str, float]:
    """Images/s of the two ways a trained detector meets unlabelled images at paper
    size, batch 2: ``tools/pseudo_label.py``'s (``test_step``, then one record per
    image: boxes and RLE masks kept at ``score_thr``) and ``tools/test.py``'s
    (``test_step``, then mmdet's ``CocoMetric`` formatting the same predictions).
    Both start from the same random-init model, every detection kept. ``size``
    (w, h) overrides the size."""
    import tempfile
    import torch
    from mmdet.evaluation import CocoMetric
    from projects.apis.pseudo_label import prediction_to_record
    detector, size = _detector_and_size(tiny, size)
    detector['test_cfg']['rcnn']['score_thr'] = score_thr
    model = _model('plain', detector).to(device).eval()
    num_classes = detector['roi_head']['bbox_head']['num_classes']
    data = _batch('plain', 2, size, num_classes)
    for sample in data['data_samples']:
        sample.set_metainfo(dict(img_id=1, instances=[]))
    cat_ids = list(range(1, num_classes + 1))
    rates = {}
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        metric = CocoMetric(ann_file=None, metric=['bbox', 'segm'], format_only=True,
                            outfile_prefix=osp.join(tmp, 'res'))
        metric.dataset_meta = dict(classes=[str(i) for i in range(num_classes)])
        ways = dict(
            label=lambda out: [prediction_to_record(dict(id=1, file_name='x.jpg'), o, 0.0,
                                                    cat_ids) for o in out],
            test=lambda out: metric.process({}, [o.to_dict() for o in out]))
        for name, finish in ways.items():
            seconds = _mean_seconds(lambda: finish(model.test_step(data)), iters, warmup,
                                    device.startswith('cuda'))
            rates[f'{name}_img_s'] = round(2 / seconds, 2)
    return rates


def goals(rows: List[Dict[str, object]], data_rows: Optional[list] = None,
          labelling: Optional[Dict[str, float]] = None) -> List[str]:
    """The issue's goals, each 'met' or 'missed' with its measured value."""
    step = {(r['mode'], r['images'], r['amp']): r['step_s'] for r in rows}
    out = []

    def check(name, value, limit):
        out.append(f'{name}: {value:.2f} ({"met" if value <= limit else "missed"}, '
                   f'goal <= {limit})')
    if ('plain', 2, True) in step:
        check('AMP / fp32 step', step[('plain', 2, True)] / step[('plain', 2, False)], 0.6)
    check('offline student / plain step', step[('offline', 4, False)] / step[('plain', 4, False)],
          1.05)
    check('online teacher-student / plain step',
          step[('online', 4, False)] / step[('plain', 4, False)], 1.35)
    if labelling:
        out.append(f'pseudo-labelling / test.py throughput: '
                   f'{labelling["label_img_s"] / labelling["test_img_s"]:.2f} ('
                   f'{"met" if labelling["label_img_s"] >= labelling["test_img_s"] else "missed"}'
                   ', goal >= 1.0)')
    if data_rows:
        gpu = 4 / step[('plain', 4, False)]  # images/s the GPU trains
        s4 = next(r for r in data_rows if r['strength'] == 'S4')['images_per_s_per_worker']
        check('S4 workers to keep the GPU fed', gpu / s4, 8)
    return out


def markdown(rows: List[Dict[str, object]], device_name: str) -> str:
    """The rows as a table in the format of docs/benchmark.md."""
    plain4 = next(r['step_s'] for r in rows if r['mode'] == 'plain' and r['images'] == 4)
    lines = [f'Paper size on {device_name} (`tools/misc/check_gpu.py --paper-size`):', '',
             '| mode | images / step | precision | step (s) | vs plain | peak memory (MB) |',
             '|---|---|---|---|---|---|']
    for r in rows:
        ratio = f'{r["step_s"] / plain4:.2f}x' if r['images'] == 4 else '-'
        lines.append(f'| {r["mode"]} | {r["images"]} | {"AMP" if r["amp"] else "fp32"} | '
                     f'{r["step_s"]:.3f} | {ratio} | {r["peak_mb"] or "-"} |')
    return '\n'.join(lines) + '\n'
