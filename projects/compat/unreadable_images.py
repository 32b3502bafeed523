"""Unreadable images are skipped and counted instead of stopping a run.

mmcv's ``LoadImageFromFile`` raises (or asserts) on a file that is missing,
empty, truncated or not an image, and mmengine stops the run. With the shim:

* training datasets get ``None`` from the pipeline, so mmengine's dataset
  draws another sample (its refetch);
* evaluation datasets (``test_mode=True``, or marked by
  :func:`mark_evaluation_set`) give the pipeline a blank image of
  the recorded size, and the evaluator leaves that sample out of every metric
  (a COCO metric also leaves its ground truth out), so the metric is computed
  on the readable images;
* each skipped file is appended to the run's record
  (:mod:`projects.utils.unreadable_images`), which
  :class:`~projects.engine.hooks.UnreadableImageHook` logs, counts and limits.
"""
from typing import Optional

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.dataset import BaseDataset
from mmengine.evaluator import Evaluator

from projects.utils.unreadable_images import (FILL_KEY, RecordReader, UnreadableImageError,
                                              log_path, record)

_load_image = LoadImageFromFile.transform
_prepare_data = BaseDataset.prepare_data
_evaluator_process = Evaluator.process


def load_image(self, results: dict) -> Optional[dict]:
    """``LoadImageFromFile.transform`` that raises :class:`UnreadableImageError`
    (or, for an evaluation sample marked with ``FILL_KEY``, loads a blank image
    of the data info's ``height`` x ``width``)."""
    if results.get(FILL_KEY):
        shape = (results.get('height') or 32, results.get('width') or 32)
        img = np.zeros(shape if self.color_type == 'grayscale' else shape + (3,),
                       np.float32 if self.to_float32 else np.uint8)
        results.update(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
        return results
    try:
        out = _load_image(self, results)
    except FileNotFoundError as e:
        raise UnreadableImageError(results['img_path'], 'not found') from e
    except Exception as e:  # mmcv asserts on None; cv2/PIL raise on garbage bytes
        raise UnreadableImageError(results['img_path'], 'cannot be decoded') from e
    if out is None and not self.ignore_empty:
        raise UnreadableImageError(results['img_path'], 'cannot be decoded')
    return out


EVAL_FLAG = 'is_evaluation_set'


def mark_evaluation_set(dataset) -> None:
    """Treat ``dataset`` (and the parts of a wrapper) as an evaluation set even
    without ``test_mode`` (mmseg's validation sets keep ``test_mode=False``)."""
    try:
        setattr(dataset, EVAL_FLAG, True)
    except AttributeError:  # a plain list of samples: nothing is loaded from files
        return
    for part in getattr(dataset, 'datasets', []) or [getattr(dataset, 'dataset', None)]:
        if part is not None:
            mark_evaluation_set(part)


def prepare_data(self, idx: int):
    """``BaseDataset.prepare_data``: an unreadable image is recorded; training
    gets ``None`` (mmengine draws another sample), evaluation a blank image."""
    try:
        return _prepare_data(self, idx)
    except UnreadableImageError as e:
        info = self.get_data_info(idx)
        evaluating = self.test_mode or getattr(self, EVAL_FLAG, False)
        record(e.path, e.reason, 'eval' if evaluating else 'train', info.get('img_id'))
        if not evaluating:
            return None
        info[FILL_KEY] = True
        return self.pipeline(info)


class SkippedSample:
    """Stands in a metric's ``results`` for an evaluation image that was skipped
    (one result per sample keeps the ranks' result lists aligned)."""

    def __init__(self, img_id=None) -> None:
        self.img_id = img_id


class _EvalPaths:
    """The evaluation images recorded as unreadable, re-read when the file grows."""

    def __init__(self) -> None:
        self.file, self.reader, self.paths = None, None, set()

    def get(self) -> set:
        if self.file != log_path():
            self.file, self.paths = log_path(), set()
            self.reader = RecordReader(self.file)
        self.paths.update(r['path'] for r in self.reader.new() if r.get('phase') == 'eval')
        return self.paths


_EVAL_PATHS = _EvalPaths()


def _metainfo(sample) -> dict:
    return sample.metainfo if hasattr(sample, 'metainfo') else sample


def _make_skip_aware(metric) -> None:
    """Wrap ``metric.compute_metrics`` (once): drop :class:`SkippedSample`
    results, and leave their images out of a COCO metric's ground truth."""
    compute_metrics = metric.compute_metrics
    if getattr(compute_metrics, 'skip_aware', False):
        return

    def compute(results: list) -> dict:
        skipped = {r.img_id for r in results if isinstance(r, SkippedSample)}
        results = [r for r in results if not isinstance(r, SkippedSample)]
        coco = getattr(metric, '_coco_api', None)
        if skipped and coco is not None and hasattr(metric, 'img_ids'):
            metric.img_ids = [i for i in coco.get_img_ids() if i not in skipped]
        return compute_metrics(results) if results else {}

    compute.skip_aware = True
    metric.compute_metrics = compute


def evaluator_process(self, data_samples, data_batch=None) -> None:
    """``Evaluator.process`` that holds back the samples of unreadable images."""
    bad = _EVAL_PATHS.get()
    if bad:
        keep, gone = [], []
        for s in data_samples:
            (gone if _metainfo(s).get('img_path') in bad else keep).append(s)
        for metric in self.metrics:
            _make_skip_aware(metric)
            metric.results.extend(SkippedSample(_metainfo(s).get('img_id')) for s in gone)
        data_samples = keep
    _evaluator_process(self, data_samples, data_batch)


def install_unreadable_image_skip() -> None:
    """Apply the shim (idempotent)."""
    LoadImageFromFile.transform = load_image
    BaseDataset.prepare_data = prepare_data
    Evaluator.process = evaluator_process


__all__ = ['SkippedSample', 'install_unreadable_image_skip', 'mark_evaluation_set']
