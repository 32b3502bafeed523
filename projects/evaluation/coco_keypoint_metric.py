"""COCO keypoint AP (OKS) of a detector's ``pred_instances.keypoints``."""
import contextlib
import io
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmdet.registry import METRICS

STATS = ('AP', 'AP50', 'AP75', 'AP_m', 'AP_l', 'AR', 'AR50', 'AR75', 'AR_m', 'AR_l')


@METRICS.register_module()
class CocoKeypointMetric(BaseMetric):
    """pycocotools' keypoint evaluation (``iouType='keypoints'``), which mmdet's
    ``CocoMetric`` lacks.

    Each detection of a keypoint category is scored by its box score; its
    keypoints are (x, y, v) triples in the original image, in continuous
    pixel coordinates (``CocoKeypointDataset``'s), written to COCO as pixel
    indices (x - 0.5, y - 0.5, as detectron2 does). Ground truth with no
    labelled keypoint is ignored, as pycocotools does.

    Args:
        ann_file (str): COCO json with ``keypoints`` / ``num_keypoints``.
        sigmas (Sequence[float], optional): Per-keypoint OKS falloff; default
            pycocotools' COCO person values (17 keypoints).
        prefix (str): Metric name prefix. Default 'coco'.
    """

    default_prefix = 'coco'

    def __init__(self, ann_file: str, sigmas: Optional[Sequence[float]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        with contextlib.redirect_stdout(io.StringIO()):
            self.coco = COCO(ann_file)
        # categories that define keypoints (COCO: person)
        self.cat_ids = [c['id'] for c in self.coco.loadCats(self.coco.getCatIds())
                        if c.get('keypoints')]
        if not self.cat_ids:
            raise ValueError(f'CocoKeypointMetric: no category of {ann_file} lists keypoints')
        self.all_cat_ids = sorted(self.coco.getCatIds())
        self.sigmas = None if sigmas is None else np.asarray(sigmas, np.float64)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            kps = pred['keypoints'].cpu().numpy()
            scores, labels = pred['scores'].cpu().numpy(), pred['labels'].cpu().numpy()
            dets = []
            for i, label in enumerate(labels.tolist()):
                cat = self.all_cat_ids[label]
                if cat not in self.cat_ids:
                    continue
                flat = np.concatenate([kps[i, :, :2] - 0.5, np.ones_like(kps[i, :, :1])], 1)
                dets.append(dict(image_id=int(sample['img_id']), category_id=cat,
                                 keypoints=flat.reshape(-1).tolist(), score=float(scores[i])))
            # one entry per image: images without a detection still count their GT
            self.results.append(dict(img_id=int(sample['img_id']), dets=dets))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        dets = [d for r in results for d in r['dets']]
        if not dets:
            print_log('CocoKeypointMetric: no keypoint detections; AP is 0', logger='current')
            return {f'keypoints_{k}': 0.0 for k in STATS}
        with contextlib.redirect_stdout(io.StringIO()) as out:
            ev = COCOeval(self.coco, self.coco.loadRes(dets), 'keypoints')
            if self.sigmas is not None:
                ev.params.kpt_oks_sigmas = self.sigmas
            ev.params.catIds = self.cat_ids
            ev.params.imgIds = sorted({r['img_id'] for r in results})
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
        print_log('\n' + out.getvalue(), logger='current')
        return {f'keypoints_{k}': round(float(v), 4) for k, v in zip(STATS, ev.stats)}
