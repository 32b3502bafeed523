"""An evaluator that leaves the samples of unreadable images out of every metric."""
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Set

from mmengine.dist import broadcast_object_list, collect_results, is_main_process
from mmengine.evaluator import Evaluator
from mmengine.evaluator.metric import _to_cpu
from mmengine.registry import EVALUATOR

from projects.utils.unreadable_images import RecordReader, log_path


class SkippedSample:
    """Stands in a metric's ``results`` for an evaluation image that was skipped
    (one result per sample keeps the ranks' result lists aligned for
    ``collect_results``)."""

    def __init__(self, img_id=None) -> None:
        self.img_id = img_id


class _EvalPaths:
    """The evaluation images recorded as unreadable, re-read when the file grows."""

    def __init__(self) -> None:
        self.file, self.reader, self.paths = None, None, set()

    def get(self) -> Set[str]:
        if self.file != log_path():
            self.file, self.paths = log_path(), set()
            self.reader = RecordReader(self.file)
        self.paths.update(r['path'] for r in self.reader.new() if r.get('phase') == 'eval')
        return self.paths


def _metainfo(sample) -> dict:
    return sample.metainfo if hasattr(sample, 'metainfo') else sample


@contextmanager
def ground_truth_left_out(metric, skipped: Set) -> Iterator[None]:
    """Leave the images ``skipped`` out of a COCO-style metric's ground truth.

    mmdet's ``CocoMetric`` (and ours, built on it) evaluate the image ids in
    ``metric.img_ids``, taken from the annotation file when it is None; with
    it set to the readable images, the boxes of a skipped image are not
    counted as misses. Metrics without an annotation file take their ground
    truth from the (already filtered) results and need nothing.
    """
    coco = getattr(metric, '_coco_api', None)
    if not skipped or coco is None or not hasattr(metric, 'img_ids'):
        yield
        return
    before = metric.img_ids
    ids = before if before is not None else coco.get_img_ids()
    metric.img_ids = [i for i in ids if i not in skipped]
    try:
        yield
    finally:
        metric.img_ids = before


@EVALUATOR.register_module()
class UnreadableImageEvaluator(Evaluator):
    """mmengine's ``Evaluator`` that leaves unreadable images out of its metrics.

    Samples whose image was recorded as unreadable in evaluation (see
    :class:`~projects.datasets.transforms.SafeLoadImageFromFile`) are held
    back from :meth:`process`: each metric gets a :class:`SkippedSample` in
    their place, which :meth:`evaluate` drops after gathering the ranks'
    results and before ``compute_metrics``, with the image's ground truth
    left out of a COCO metric (:func:`ground_truth_left_out`).
    :class:`~projects.engine.hooks.UnreadableImageHook` puts the metrics of
    every validation and test loop under this evaluator; a config may also
    name it: ``val_evaluator = dict(type='UnreadableImageEvaluator', metrics=[...])``.

    Args:
        metrics: The metrics (configs or built ``BaseMetric`` objects).
    """

    def __init__(self, metrics) -> None:
        super().__init__(metrics)
        self._eval_paths = _EvalPaths()

    def process(self, data_samples: Sequence, data_batch: Optional = None) -> None:
        """Feed the readable samples to the metrics, a placeholder for each other."""
        bad = self._eval_paths.get()
        keep: List = []
        for sample in data_samples:
            if _metainfo(sample).get('img_path') in bad:
                for metric in self.metrics:
                    metric.results.append(SkippedSample(_metainfo(sample).get('img_id')))
            else:
                keep.append(sample)
        super().process(keep, data_batch)

    def evaluate(self, size: int) -> dict:
        """Each metric on the readable samples of the ``size`` in the data set."""
        metrics = {}
        for metric in self.metrics:
            _results = self._evaluate_one(metric, size)
            for name in _results:
                if name in metrics:
                    raise ValueError('There are multiple evaluation results with the same '
                                     f'metric name {name}. Please make sure all metrics '
                                     'have different prefixes.')
            metrics.update(_results)
        return metrics

    @staticmethod
    def _evaluate_one(metric, size: int) -> dict:
        """``BaseMetric.evaluate`` with the placeholders dropped before computing."""
        tmpdir = metric.collect_dir if metric.collect_device == 'cpu' else None
        results = collect_results(metric.results, size, metric.collect_device, tmpdir=tmpdir)
        out = [None]
        if is_main_process():
            results = _to_cpu(results)
            skipped = {r.img_id for r in results if isinstance(r, SkippedSample)}
            kept = [r for r in results if not isinstance(r, SkippedSample)]
            with ground_truth_left_out(metric, skipped):
                computed = metric.compute_metrics(kept) if kept else {}
            if metric.prefix:
                computed = {'/'.join((metric.prefix, k)): v for k, v in computed.items()}
            out = [computed]
        broadcast_object_list(out)
        metric.results.clear()
        return out[0]
