"""Turn a detector's predictions into COCO pseudo-label records."""
from typing import List, Sequence, Union

import numpy as np
from pycocotools import mask as mask_utils

from projects.utils.score_thresholds import keep_mask


def _rle(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle['counts'] = rle['counts'].decode('ascii')
    return rle


MIN_BOX_SIZE = 1.0  # px: a pseudo box narrower or lower than this after clipping is dropped


def prediction_to_record(info: dict, data_sample, score_thr: Union[float, List[float]],
                         cat_ids: Sequence[int]) -> dict:
    """One image's record: its real size and the instances scoring >= thr.

    Boxes are clipped to the image; one left under ``MIN_BOX_SIZE`` (1 px) wide
    or high is dropped (a degenerate box trains nothing but noise) and counted
    in the record's ``degenerate``.

    Args:
        info: ``{'id', 'file_name'}`` of the image.
        data_sample: ``DetDataSample`` with ``pred_instances`` in original
            image coordinates (``bboxes`` (N, 4) xyxy, ``scores`` (N,),
            ``labels`` (N,), optionally ``masks`` (N, H, W)).
        score_thr: Keep instances with ``score >= score_thr`` (a float, or one
            value per class).
        cat_ids: COCO category id of each class index.
    """
    h, w = data_sample.ori_shape[:2]
    pred = data_sample.pred_instances
    keep = keep_mask(pred.scores, pred.labels, score_thr).nonzero().flatten()
    boxes = pred.bboxes[keep].cpu().numpy()
    scores = pred.scores[keep].cpu().numpy()
    labels = pred.labels[keep].cpu().numpy()
    masks = pred.masks[keep].cpu().numpy() if 'masks' in pred else None
    anns: List[dict] = []
    degenerate = 0
    for i, (box, score, label) in enumerate(zip(boxes, scores, labels)):
        x0, x1 = (min(max(float(v), 0.0), float(w)) for v in (box[0], box[2]))
        y0, y1 = (min(max(float(v), 0.0), float(h)) for v in (box[1], box[3]))
        if x1 - x0 < MIN_BOX_SIZE or y1 - y0 < MIN_BOX_SIZE:
            degenerate += 1
            continue
        ann = dict(bbox=[round(x0, 2), round(y0, 2), round(x1 - x0, 2), round(y1 - y0, 2)],
                   score=round(float(score), 5), category_id=int(cat_ids[int(label)]),
                   iscrowd=0, area=round((x1 - x0) * (y1 - y0), 2))
        if masks is not None:
            ann['segmentation'] = _rle(masks[i])
            ann['area'] = float(masks[i].sum())
        anns.append(ann)
    return dict(image=dict(id=info['id'], file_name=info['file_name'], width=int(w),
                           height=int(h)), anns=anns, degenerate=degenerate)


def records_to_coco(records: Sequence[dict], categories: List[dict], info: dict) -> dict:
    """Merge per-image records (sorted by image id) into one COCO dict."""
    images, anns = [], []
    for rec in sorted(records, key=lambda r: r['image']['id']):
        if 'error' in rec:
            continue
        images.append(rec['image'])
        for a in rec['anns']:
            anns.append(dict(a, id=len(anns) + 1, image_id=rec['image']['id']))
    return dict(info=info, images=images, annotations=anns, categories=categories)
