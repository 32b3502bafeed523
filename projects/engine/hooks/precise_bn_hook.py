"""Precise BN: recompute BN population statistics before each evaluation and checkpoint."""
from typing import Iterable, Iterator

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from torch.nn.modules.batchnorm import _BatchNorm

from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop


def draw_batches(dataloader: Iterable, num: int) -> Iterator:
    """``num`` batches from fresh passes over ``dataloader``, one alive at a time.

    ``itertools.cycle`` would keep a copy of every batch of its first pass
    (over 1 GB at COCO size and 200 batches); a new iterator is opened instead
    whenever the loader runs out.
    """
    drawn = 0
    while drawn < num:
        before = drawn
        for batch in dataloader:
            yield batch
            drawn += 1
            if drawn == num:
                return
        if drawn == before:
            raise ValueError('PreciseBNHook: the training dataloader yields no batch')


@HOOKS.register_module()
class PreciseBNHook(Hook):
    """Recompute BN running statistics on ``num_iters`` training batches
    at every iteration (or epoch) that validates, and at the last one, as
    detectron2's ``PreciseBN`` does.

    Running averages with momentum lag behind the weights in long schedules;
    this hook replaces them by the exact mean of per-batch statistics over
    ``num_iters`` batches (``momentum=None``: cumulative average). Models
    without BN/SyncBN layers (e.g. GN everywhere) are left alone.

    It runs in ``after_train_iter`` (``after_train_epoch`` for epoch-based
    loops) at ``ABOVE_NORMAL`` priority, before ``CheckpointHook``
    (``VERY_LOW``) saves that iteration, and before the loop validates: so
    ``iter_N.pth`` holds the statistics the validation at N used, and
    ``tools/test.py`` on it reproduces that validation (detectron2 orders
    PreciseBN before its checkpointer for the same reason). In mmengine,
    ``before_val_epoch`` comes after the checkpoint of the same iteration.

    The batches are drawn from the training loop's own stream
    (``IterBasedTrainLoop.dataloader_iterator``; they are not trained on, and
    the stream is shuffled and endless), with no second loader, its workers or
    a copy of the dataset. Opening a new pass over the training loader instead
    would close the generator that mmengine's ``InfiniteSampler`` shares
    between every iterator of a loader, and the training loop's next batch
    would end in ``StopIteration``.

    Args:
        num_iters (int): Training batches to average over. Defaults to 200.
    """
    priority = 'ABOVE_NORMAL'

    def __init__(self, num_iters: int = 200) -> None:
        if num_iters < 1:
            raise ValueError(f'num_iters must be >= 1, got {num_iters}')
        self.num_iters = num_iters

    @staticmethod
    def _validates_or_ends(runner, loop, done: int, total: int) -> bool:
        """Whether the loop validates after ``done`` iterations/epochs, or stops there."""
        if done >= total:
            return True
        return runner.val_loop is not None and done >= loop.val_begin and \
            done % loop.val_interval == 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        loop = runner.train_loop
        if isinstance(loop, IterBasedTrainLoop) and \
                self._validates_or_ends(runner, loop, runner.iter + 1, loop.max_iters):
            self.recompute(runner)

    def after_train_epoch(self, runner) -> None:
        loop = runner.train_loop
        if isinstance(loop, EpochBasedTrainLoop) and \
                self._validates_or_ends(runner, loop, runner.epoch + 1, loop.max_epochs):
            self.recompute(runner)

    def recompute(self, runner) -> None:
        """Re-estimate the statistics of every tracking BN layer of ``runner.model``."""
        model = runner.model
        bns = [m for m in model.modules()
               if isinstance(m, _BatchNorm) and m.track_running_stats]
        if not bns:
            return
        self.update_bn_stats(model, bns, self._batches(runner))
        print_log(f'PreciseBNHook: recomputed statistics of {len(bns)} BN '
                  f'layers on {self.num_iters} batches', logger='current')

    def _batches(self, runner) -> Iterable:
        """Training batches: the training loop's own endless stream when it has
        one, else (a runner built from objects) its training loader."""
        stream = getattr(getattr(runner, 'train_loop', None), 'dataloader_iterator', None)
        if stream is None:
            return runner.train_dataloader
        return iter(lambda: next(stream), object())  # next() for ever; restarts are the loop's

    @torch.no_grad()
    def update_bn_stats(self, model, bns, dataloader) -> None:
        """Reset and re-estimate ``running_mean``/``running_var`` of ``bns``."""
        momenta = [bn.momentum for bn in bns]
        was_training = model.training
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative moving average
        model.train()
        module = getattr(model, 'module', model)
        for batch in draw_batches(dataloader, self.num_iters):
            data = module.data_preprocessor(batch, True)
            module._run_forward(data, mode='tensor')
        for bn, momentum in zip(bns, momenta):
            bn.momentum = momentum
        model.train(was_training)
