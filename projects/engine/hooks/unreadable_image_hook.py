"""Log, count and limit the images a run skipped because they cannot be read."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

from projects.datasets.transforms.safe_load_image_from_file import blank_unreadable_images
from projects.evaluation.unreadable_image_evaluator import UnreadableImageEvaluator
from projects.utils.errors import UserInputError
from projects.utils.unreadable_images import (RecordReader, bad_image_limit,
                                              is_bad_image_limit)

SHOWN = 3  # files named in the stop message


@HOOKS.register_module()
class UnreadableImageHook(Hook):
    """Report the images :class:`~projects.datasets.transforms.SafeLoadImageFromFile` skipped.

    Before each validation and test, the ``SafeLoadImageFromFile`` steps of
    the evaluated set are switched to ``unreadable='blank'`` (an unreadable
    image becomes a blank one, not another sample) and the loop's metrics are
    put under :class:`~projects.evaluation.UnreadableImageEvaluator` (which
    leaves those samples out of every metric).
    Training: each newly skipped file is logged with the running count, which
    also goes to the message hub (``unreadable_images/train``, written to
    ``curve.json`` by :class:`LearningCurveHook`). Evaluation: the count of
    images left out of the metric is added to the metrics as
    ``unreadable_images`` (so it is logged next to them) with the files named.
    More than ``max_bad_images`` skipped files (in the training set, or in one
    evaluation, once its metrics are logged) stop the run with one line naming
    the first few; all processes take the decision together.

    Args:
        max_bad_images (int | float): The most unreadable images tolerated: a
            float in [0, 1) is a fraction of the data set's size, an int a
            count. Default 0.01 (1%).
    """
    priority = 'ABOVE_NORMAL'  # before LearningCurveHook and LoggerHook see the metrics

    def __init__(self, max_bad_images: Union[int, float] = 0.01) -> None:
        if not is_bad_image_limit(max_bad_images):
            raise ValueError('max_bad_images must be a fraction in [0, 1) or a count >= 0, '
                             f'got {max_bad_images!r}')
        self.max_bad_images = max_bad_images
        self.train_reader, self.eval_reader = RecordReader(), RecordReader()
        self.train_bad: Dict[str, str] = {}
        self.train_size = 0
        self.eval_stop: Optional[UserInputError] = None

    def limit(self, dataset_size: int) -> int:
        """The most unreadable images tolerated in a set of ``dataset_size``."""
        return bad_image_limit(self.max_bad_images, dataset_size)

    @staticmethod
    def _stop_if(over: bool, what: str, bad: Dict[str, str], limit: int, size: int) -> None:
        flag = torch.tensor([float(over)])
        all_reduce(flag, op='max')  # every rank stops, or none does
        if flag.item() and bad:
            first = ', '.join(f'{p} ({r})' for p, r in list(bad.items())[:SHOWN])
            raise UserInputError(
                f'{len(bad)} unreadable {what} image{"s" * (len(bad) != 1)}, more than '
                f'max_bad_images allows '
                f'({limit} of {size}); first: {first}. Find them all with '
                'tools/misc/check_dataset.py CONFIG --full-decode')
        if flag.item():
            raise UserInputError(f'another process found more unreadable {what} images '
                                 f'than max_bad_images allows ({limit} of {size})')

    def before_train(self, runner) -> None:
        if runner.iter == 0:  # a fresh run ignores older records; a resumed one counts them
            self.train_reader.skip_to_end()
        self.train_size = len(runner.train_dataloader.dataset)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        new = [r for r in self.train_reader.new()
               if r.get('phase') == 'train' and r['path'] not in self.train_bad]
        for rec in new:
            self.train_bad[rec['path']] = rec['reason']
            print_log(f'skipped unreadable image {rec["path"]} ({rec["reason"]}); another '
                      f'sample was drawn ({len(self.train_bad)} skipped so far)',
                      logger='current', level=30)
        if new:
            runner.message_hub.update_info('unreadable_images/train', len(self.train_bad))
        limit = self.limit(self.train_size)
        self._stop_if(len(self.train_bad) > limit, 'training', self.train_bad, limit,
                      self.train_size)

    def _before_eval(self, loop) -> None:
        # before the loop starts its workers, so they inherit the mode
        blank_unreadable_images(loop.dataloader.dataset)
        if not isinstance(loop.evaluator, UnreadableImageEvaluator):
            loop.evaluator = UnreadableImageEvaluator(loop.evaluator.metrics)
        self.eval_reader.skip_to_end()

    def before_val_epoch(self, runner) -> None:
        self._before_eval(runner.val_loop)

    def before_test_epoch(self, runner) -> None:
        self._before_eval(runner.test_loop)

    def _after_eval(self, runner, mode: str, metrics: Optional[dict]) -> None:
        bad: Dict[str, str] = {}
        for rec in self.eval_reader.new():
            if rec.get('phase') == 'eval':
                bad.setdefault(rec['path'], rec['reason'])
        size = len(getattr(runner, f'{mode}_dataloader').dataset)
        if bad:
            names: List[str] = [f'{p} ({r})' for p, r in bad.items()]
            print_log(f'{mode}: {len(bad)} of {size} images unreadable, left out of the metric: '
                      + ', '.join(names[:SHOWN]) + (' ...' if len(names) > SHOWN else ''),
                      logger='current', level=30)
            if metrics is not None:
                metrics['unreadable_images'] = len(bad)
            runner.message_hub.update_scalar(f'{mode}/unreadable_images', len(bad))
        limit = self.limit(size)
        try:
            self._stop_if(len(bad) > limit, f'{mode}', bad, limit, size)
        except UserInputError as e:
            self.eval_stop = e  # raised once LoggerHook has logged the metrics

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._after_eval(runner, 'val', metrics)

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._after_eval(runner, 'test', metrics)

    def _raise_eval_stop(self) -> None:
        stop, self.eval_stop = self.eval_stop, None
        if stop is not None:
            raise stop

    def after_val(self, runner) -> None:
        self._raise_eval_stop()

    def after_test(self, runner) -> None:
        self._raise_eval_stop()

