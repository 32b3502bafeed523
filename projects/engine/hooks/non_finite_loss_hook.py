"""Stop, or skip a few steps, when the training loss is NaN or Inf."""
import math
from typing import Optional, Sequence

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Guard the optimizer step against a NaN or Inf loss.

    The check runs *before* the step (it wraps ``optim_wrapper.update_params``),
    so a bad step never reaches the weights: the model in memory and every
    checkpoint stay those of the last good iteration. A bad step is skipped;
    after more than ``max_skips`` of them the run stops with
    ``FloatingPointError`` naming the iteration and the non-finite loss terms.
    All processes agree on the decision (one rank's NaN skips the step
    everywhere, so DDP never waits on a missing all-reduce).

    Args:
        max_skips (int): Bad steps tolerated over the run before stopping.
            0 (default) stops at the first one.
    """
    priority = 'VERY_HIGH'  # before CheckpointHook and LoggerHook

    def __init__(self, max_skips: int = 0) -> None:
        if not isinstance(max_skips, int) or max_skips < 0:
            raise ValueError(f'max_skips must be an int >= 0, got {max_skips!r}')
        self.max_skips = max_skips
        self.skipped = 0
        self._bad_step = False

    def before_train(self, runner) -> None:
        wrapper = runner.optim_wrapper
        update_params = wrapper.update_params

        def guarded_update_params(loss: torch.Tensor, *args, **kwargs):
            finite = torch.isfinite(loss.detach()).all().float().reshape(1)
            all_reduce(finite, op='min')
            self._bad_step = not bool(finite.item())
            if self._bad_step:
                wrapper.zero_grad()
                return None
            return update_params(loss, *args, **kwargs)

        wrapper.update_params = guarded_update_params

    def after_train_iter(self, runner, batch_idx: int, data_batch: Optional[Sequence] = None,
                         outputs: Optional[dict] = None) -> None:
        if not self._bad_step:
            return
        self._bad_step = False
        self.skipped += 1
        bad = [k for k, v in (outputs or {}).items() if not math.isfinite(float(v))]
        terms = [k for k in bad if k != 'loss'] or ['loss']  # the terms, not their sum
        where = f'non-finite loss at iteration {runner.iter + 1} ({", ".join(terms)})'
        if self.skipped > self.max_skips:
            raise FloatingPointError(f'{where}; stopped after {self.skipped} bad step(s) '
                                     f'(max_skips={self.max_skips}); the weights and '
                                     'checkpoints are those of the last good step')
        print_log(f'{where}: step skipped ({self.skipped}/{self.max_skips})',
                  logger='current', level=30)
