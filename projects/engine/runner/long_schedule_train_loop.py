"""Iteration-based train loop that derives the whole Nx schedule from N."""
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Sequence, Union

from mmengine.dist import get_world_size
from mmengine.hooks import CheckpointHook
from mmengine.runner import IterBasedTrainLoop
from torch.utils.data import DataLoader

from mmengine.registry import LOOPS

from .rethink_runner import apply_data_switches_late

#: The paper's unit: 1x = 90k iterations at a total batch size of 16.
REFERENCE_1X_ITERS = 90000


@dataclass
class ResolvedSchedule:
    """The concrete schedule a :class:`LongScheduleTrainLoop` runs."""
    max_iters: int
    lr_drops: List[int]
    warmup_iters: int
    val_interval: int
    checkpoint_interval: int
    batch_size: int
    lr_scale: float


def resolve_schedule(multiplier: float = 1.0,
                     base_iters: int = REFERENCE_1X_ITERS,
                     max_iters: Optional[int] = None,
                     drops_from_end: Sequence[int] = (60000, 20000),
                     warmup_iters: int = 1000,
                     val_interval: int = 30000,
                     checkpoint_interval: int = 10000,
                     batch_size: int = 16,
                     base_batch_size: int = 16,
                     scale_to_batch_size: bool = False) -> ResolvedSchedule:
    """Turn the schedule recipe into concrete iteration numbers.

    ``drops_from_end``, ``warmup_iters`` and both intervals are given in the
    paper's units (a 1x of 90k iterations at batch 16). ``base_iters`` is the
    length of 1x in this run, so ``base_iters=40`` shrinks every quantity by
    40 / 90000 (handy for tests). The total is ``multiplier * base_iters``
    unless ``max_iters`` is given. With ``scale_to_batch_size``, a total batch
    ``B`` different from ``base_batch_size`` scales all iteration counts by
    ``base_batch_size / B`` and the LR by ``B / base_batch_size``.

    Example: ``multiplier=6`` gives 540k iterations with drops at 480k and
    520k (the last 60k and the last 20k).
    """
    if multiplier <= 0:
        raise ValueError(f'multiplier must be > 0, got {multiplier}')
    if base_iters <= 0:
        raise ValueError(f'base_iters must be > 0, got {base_iters}')
    if batch_size <= 0 or base_batch_size <= 0:
        raise ValueError('batch_size and base_batch_size must be > 0, got '
                         f'{batch_size} and {base_batch_size}')
    it_scale = base_batch_size / batch_size if scale_to_batch_size else 1.0
    unit = base_iters / REFERENCE_1X_ITERS * it_scale
    total = max_iters if max_iters is not None else multiplier * base_iters
    total = max(1, int(round(total * it_scale)))
    drops = sorted({total - int(round(d * unit)) for d in drops_from_end})
    drops = [d for d in drops if 0 < d < total]
    # mmengine's LinearLR needs >= 2 steps: with end=1 it never leaves
    # start_factor, so a warm-up that shrinks below 2 iterations is dropped
    warmup = int(round(warmup_iters * unit))
    return ResolvedSchedule(
        max_iters=total,
        lr_drops=drops,
        warmup_iters=warmup if warmup >= 2 else 0,
        val_interval=max(1, int(round(val_interval * unit))),
        checkpoint_interval=max(1, int(round(checkpoint_interval * unit))),
        batch_size=batch_size,
        lr_scale=batch_size / base_batch_size if scale_to_batch_size else 1.0)


@LOOPS.register_module()
class LongScheduleTrainLoop(IterBasedTrainLoop):
    """Train loop for the Nx schedules of He et al. (ICCV 2019).

    One value, ``multiplier`` (N), sets the schedule: ``N * 90k`` iterations,
    LR x0.1 at the last 60k and again at the last 20k, linear warm-up, and the
    validation and checkpoint intervals. The loop writes the matching
    ``param_scheduler`` and checkpoint interval into the runner before they
    are built, so child configs never retype milestones. See
    :func:`resolve_schedule` for the arithmetic.

    Args:
        runner: The runner.
        dataloader: Train dataloader or its config.
        multiplier (float): N of the Nx schedule. Defaults to 1.
        base_iters (int): Iterations of 1x in this run. Defaults to 90000.
        max_iters (int, optional): Total iterations; overrides
            ``multiplier * base_iters``. LR drops stay at the last 60k/20k.
        drops_from_end (Sequence[int]): LR drops, counted back from the end,
            in 90k-per-1x units. Defaults to (60000, 20000).
        gamma (float): LR factor at each drop. Defaults to 0.1.
        warmup_iters (int): Linear warm-up, in 90k-per-1x units.
        warmup_factor (float): Warm-up start factor. Defaults to 0.001.
        val_interval (int): Validation interval, in 90k-per-1x units.
        checkpoint_interval (int): Checkpoint interval, in 90k-per-1x units.
        base_batch_size (int): Total batch the recipe is written for (16).
        scale_to_batch_size (bool): Scale LR linearly and iterations inversely
            when the real total batch differs from ``base_batch_size``.
        val_begin (int): First iteration that may validate. Defaults to 1.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 multiplier: float = 1.0,
                 base_iters: int = REFERENCE_1X_ITERS,
                 max_iters: Optional[int] = None,
                 drops_from_end: Sequence[int] = (60000, 20000),
                 gamma: float = 0.1,
                 warmup_iters: int = 1000,
                 warmup_factor: float = 0.001,
                 val_interval: int = 30000,
                 checkpoint_interval: int = 10000,
                 base_batch_size: int = 16,
                 scale_to_batch_size: bool = False,
                 val_begin: int = 1) -> None:
        if not 0 < gamma <= 1:
            raise ValueError(f'gamma must be in (0, 1], got {gamma}')
        if isinstance(dataloader, dict):  # a plain Runner.from_cfg did not apply the switches
            apply_data_switches_late(runner, dataloader)
        per_gpu = (dataloader.batch_size if isinstance(dataloader, DataLoader)
                   else dataloader['batch_size'])
        self.schedule = resolve_schedule(
            multiplier, base_iters, max_iters, drops_from_end, warmup_iters,
            val_interval, checkpoint_interval, per_gpu * get_world_size(),
            base_batch_size, scale_to_batch_size)
        self.multiplier = multiplier
        super().__init__(runner, dataloader, self.schedule.max_iters,
                         val_begin, self.schedule.val_interval)
        self._install(runner, gamma, warmup_factor, base_batch_size)

    def _install(self, runner, gamma: float, warmup_factor: float,
                 base_batch_size: int) -> None:
        s = self.schedule
        if runner.param_schedulers not in (None, [], {}):
            runner.logger.warning(
                'LongScheduleTrainLoop replaces the param_scheduler of the '
                'config with the one it derives from the multiplier')
        warmup = [dict(type='LinearLR', start_factor=warmup_factor, by_epoch=False,
                       begin=0, end=s.warmup_iters)] if s.warmup_iters else []
        runner.param_schedulers = warmup + [
            dict(type='MultiStepLR', by_epoch=False, begin=0,
                 end=s.max_iters, milestones=list(s.lr_drops), gamma=gamma)
        ]
        if s.lr_scale != 1.0:
            # reuse mmengine's linear scaling rule (Runner.scale_lr)
            runner.auto_scale_lr = dict(enable=True,
                                        base_batch_size=base_batch_size)
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook):
                hook.interval, hook.by_epoch = s.checkpoint_interval, False
        runner.logger.info('Resolved schedule: ' + ', '.join(
            f'{k}={v}' for k, v in self.summary().items()))

    def summary(self) -> dict:
        """The resolved schedule as a plain dict (logged and saved)."""
        return dict(multiplier=self.multiplier, **asdict(self.schedule))
