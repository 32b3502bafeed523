"""How good are a teacher's pseudo labels? Per threshold and class, against held-back labels.

Torch-free: numpy and pycocotools. :func:`pseudo_label_quality` matches the
pseudo boxes of each image to its ground truth (greedy by score, IoU >= 0.5,
crowd regions neither matched nor counted) and reports, per score threshold
and per class: kept boxes, true positives, precision, recall, the COCO box AP
of the kept pseudo labels scored as detections, the size bias of the boxes
(median linear size of each ground-truth box's best-overlapping pseudo box
over its own), and the share of images left without any box.
"""
import contextlib
import threading
from collections import defaultdict
from typing import Dict, List, Sequence

import numpy as np

from projects.utils.errors import UserInputError


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box with (N, 4) xyxy boxes."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _xyxy(bbox: Sequence[float]) -> List[float]:
    x, y, w, h = bbox
    return [x, y, x + w, y + h]


def align(pseudo: dict, gt: dict) -> dict:
    """Pseudo annotations re-keyed to the ground truth's image and category ids
    (images by file name, categories by name); images of the pseudo file that
    the ground truth lacks are an error."""
    gt_img = {im['file_name']: im['id'] for im in gt['images']}
    gt_cat = {c['name']: c['id'] for c in gt['categories']}
    img_map, missing = {}, []
    for im in pseudo['images']:
        (img_map.__setitem__(im['id'], gt_img[im['file_name']]) if im['file_name'] in gt_img
         else missing.append(im['file_name']))
    if missing:
        raise UserInputError(f'{len(missing)} pseudo-labelled images are not in the ground '
                             f'truth (first: {missing[0]}); labels must be held back, not absent')
    cat_map = {}
    for c in pseudo['categories']:
        if c['name'] not in gt_cat:
            raise UserInputError(f'pseudo-label class {c["name"]!r} is not a ground-truth class')
        cat_map[c['id']] = gt_cat[c['name']]
    anns = [dict(a, image_id=img_map[a['image_id']], category_id=cat_map[a['category_id']])
            for a in pseudo['annotations']]
    return dict(images=sorted(img_map.values()), annotations=anns)


def _match(dets: List[dict], gts: List[dict]) -> int:
    """True positives among ``dets`` (greedy by score, IoU >= 0.5, each GT once)."""
    boxes = np.array([_xyxy(g['bbox']) for g in gts], np.float64).reshape(-1, 4)
    used, tp = np.zeros(len(gts), bool), 0
    for d in sorted(dets, key=lambda d: -d['score']):
        if not len(gts):
            break
        iou = _iou(np.array(_xyxy(d['bbox'])), boxes)
        iou[used] = -1
        j = int(iou.argmax())
        if iou[j] >= 0.5:
            used[j], tp = True, tp + 1
    return tp


def _size_ratios(dets: List[dict], gts: List[dict]) -> List[float]:
    """Per ground-truth box overlapped by a detection: sqrt(area of the
    best-overlapping detection / its area) (1: right size, 1.3: 30% too large)."""
    if not dets or not gts:
        return []
    boxes = np.array([_xyxy(d['bbox']) for d in dets], np.float64)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    out = []
    for g in gts:
        box = np.array(_xyxy(g['bbox']))
        iou = _iou(box, boxes)
        j = int(iou.argmax())
        area = (box[2] - box[0]) * (box[3] - box[1])
        if iou[j] > 0 and area > 0:
            out.append(float(np.sqrt(areas[j] / area)))
    return out


_QUIET = threading.Lock()


@contextlib.contextmanager
def _quiet_pycocotools():
    """Silence pycocotools' own progress prints, and only those.

    ``contextlib.redirect_stdout`` swaps ``sys.stdout`` for the whole process:
    under ``run_study --jobs N`` it swallowed the other threads' log lines.
    Here a no-op ``print`` shadows the builtin inside pycocotools' two modules
    only, for one caller at a time.
    """
    from pycocotools import coco, cocoeval
    with _QUIET:
        for module in (coco, cocoeval):
            module.print = lambda *args, **kwargs: None
        try:
            yield
        finally:
            for module in (coco, cocoeval):
                del module.print


def _gt_index(gt: dict, img_ids: List[int]):
    """A pycocotools COCO of the ground truth of ``img_ids`` (built once per report)."""
    from pycocotools.coco import COCO
    ids = set(img_ids)
    with _quiet_pycocotools():
        coco = COCO()
        coco.dataset = dict(gt, images=[im for im in gt['images'] if im['id'] in ids],
                            annotations=[a for a in gt['annotations'] if a['image_id'] in ids])
        coco.createIndex()
    return coco


def _coco_ap(coco, img_ids: List[int], dets: List[dict]) -> Dict[int, float]:
    """COCO box AP of ``dets`` (overall under key -1, and per category id)."""
    from pycocotools.cocoeval import COCOeval
    cats = sorted(coco.getCatIds())
    if not dets:
        return {k: 0.0 for k in [-1] + cats}
    with _quiet_pycocotools():
        ev = COCOeval(coco, coco.loadRes([dict(d) for d in dets]), 'bbox')
        ev.params.imgIds = img_ids
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    prec = ev.eval['precision'][:, :, :, 0, -1]  # T x R x K (area all, 100 dets)
    out = {-1: float(ev.stats[0])}
    for k, cat in enumerate(ev.params.catIds):
        p = prec[:, :, k]
        out[cat] = float(p[p > -1].mean()) if (p > -1).any() else 0.0
    return out


def pseudo_label_quality(pseudo: dict, gt: dict, thresholds: Sequence[float]) -> dict:
    """The report: ``{'classes': [...], 'images': n, 'rows': [per threshold]}``.

    Each row: ``thr``, ``ap`` (COCO box AP of the kept boxes), ``empty``
    (share of images without a kept box) and ``classes``: name ->
    ``gt`` (non-crowd boxes), ``kept``, ``tp``, ``precision`` (None if nothing
    kept), ``recall``, ``ap``, ``size`` (median of :func:`_size_ratios` over
    the class's ground truth; None if no box overlaps).
    """
    aligned = align(pseudo, gt)
    img_ids = aligned['images']
    coco = _gt_index(gt, img_ids)
    names = {c['id']: c['name'] for c in gt['categories']}
    gts = defaultdict(list)
    ids = set(img_ids)
    for a in gt['annotations']:
        if a['image_id'] in ids and not a.get('iscrowd', 0):
            gts[(a['image_id'], a['category_id'])].append(a)
    rows = []
    for thr in thresholds:
        kept = [a for a in aligned['annotations'] if a['score'] >= thr]
        by_key = defaultdict(list)
        for a in kept:
            by_key[(a['image_id'], a['category_id'])].append(a)
        ap = _coco_ap(coco, img_ids, kept)
        classes = {}
        for cat, name in names.items():
            n_gt = sum(len(gts[(i, cat)]) for i in img_ids)
            n_kept = sum(len(by_key[(i, cat)]) for i in img_ids)
            tp = sum(_match(by_key[(i, cat)], gts[(i, cat)]) for i in img_ids)
            sizes = [r for i in img_ids for r in _size_ratios(by_key[(i, cat)], gts[(i, cat)])]
            classes[name] = dict(gt=n_gt, kept=n_kept, tp=tp,
                                 precision=tp / n_kept if n_kept else None,
                                 recall=tp / n_gt if n_gt else None, ap=ap.get(cat, 0.0),
                                 size=float(np.median(sizes)) if sizes else None)
        with_box = {a['image_id'] for a in kept}
        rows.append(dict(thr=float(thr), ap=ap[-1], classes=classes,
                         empty=1 - len(with_box) / len(img_ids) if img_ids else 0.0))
    return dict(classes=[names[c] for c in sorted(names)], images=len(img_ids), rows=rows)


def quality_markdown(report: dict) -> str:
    """The report as a Markdown table, one row per threshold and class."""
    def fmt(v):
        return '-' if v is None else f'{v:.3f}'
    lines = ['| threshold | class | GT boxes | pseudo boxes | precision | recall (IoU 0.5) | AP '
             '| size (pseudo / GT) |', '|---|---|---|---|---|---|---|---|']
    for row in report['rows']:
        for name in report['classes']:
            c = row['classes'][name]
            lines.append(f'| {row["thr"]:g} | {name} | {c["gt"]} | {c["kept"]} | '
                         f'{fmt(c["precision"])} | {fmt(c["recall"])} | {fmt(c["ap"])} | '
                         f'{fmt(c["size"])} |')
        lines.append(f'| {row["thr"]:g} | all | | | | | {row["ap"]:.3f} '
                     f'(images without a box: {100 * row["empty"]:.1f}%) | |')
    return '\n'.join(lines) + '\n'


def choose_thresholds(pseudo: dict, gt: dict, target_precision: float,
                      candidates: Sequence[float] = tuple(i / 20 for i in range(1, 20))
                      ) -> Dict[str, dict]:
    """Per class, the lowest candidate threshold whose precision reaches
    ``target_precision`` on labelled held-out images (most pseudo boxes at that
    precision). A class that never reaches it gets the highest candidate with
    ``reached=False``. Returns ``{class: {'thr', 'precision', 'recall', 'reached'}}``.
    """
    report = pseudo_label_quality(pseudo, gt, sorted(candidates))
    chosen = {}
    for name in report['classes']:
        rows = [(r['thr'], r['classes'][name]) for r in report['rows']]
        hit = next(((t, c) for t, c in rows
                    if c['precision'] is not None and c['precision'] >= target_precision), None)
        t, c = hit or rows[-1]
        chosen[name] = dict(thr=t, precision=c['precision'], recall=c['recall'],
                            reached=hit is not None)
    return chosen
