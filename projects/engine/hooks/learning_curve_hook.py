"""Record AP against iteration in the work dir and plot it."""
import json
import numbers
import os.path as osp
from typing import Optional, Sequence

import torch
from mmengine.hooks import Hook

from mmengine.registry import HOOKS
from projects.utils.curves import fill_empty_records, metric_keys
from projects.utils.io import atomic_write_json
from projects.utils.plotting import plot_learning_curves


@HOOKS.register_module()
class LearningCurveHook(Hook):
    """Write ``curve.json`` (validation metrics and train loss by iteration)
    and draw ``learning_curve.png`` in the work dir.

    The JSON holds ``{"schedule": {...}, "val": [{"iter": i, metric: v}],
    "train": [{"iter": i, "loss": l, "lr": lr, ...}]}`` (``...``: the ``train_keys``
    a step logged, e.g. the student's ``pseudo_weight``), plus
    ``"unreadable_images": {"train": n}`` when training skipped images. A validation whose
    evaluator returned no metrics (mmdet's ``CocoMetric`` when the model
    detected nothing) is kept as ``{"iter": i, "empty": true}``. On resume, records past the
    resumed iteration are dropped, so the file matches an uninterrupted run.

    Args:
        loss_interval (int): Record the train loss every this many iterations.
        out_file (str): JSON file name in the work dir.
        plot_file (str, optional): PNG name in the work dir; None: no plot.
        metric (str, optional): Metric to plot; default: the first AP found.
        train_keys (sequence of str): Logged scalars recorded beside the loss
            when a step's outputs hold them (default: the pseudo weight of
            ``LossNormalizer``).
    """
    # before ParamSchedulerHook (LOW), so the LR logged is the one used
    priority = 'NORMAL'

    def __init__(self, loss_interval: int = 10, out_file: str = 'curve.json',
                 plot_file: Optional[str] = 'learning_curve.png',
                 metric: Optional[str] = None,
                 train_keys: Sequence[str] = ('pseudo_weight',)) -> None:
        if loss_interval < 1:
            raise ValueError(f'loss_interval must be >= 1, got {loss_interval}')
        if isinstance(train_keys, str):
            raise TypeError(f'train_keys must be a sequence of names, got {train_keys!r}')
        self.loss_interval, self.train_keys = loss_interval, tuple(train_keys)
        self.out_file, self.plot_file, self.metric = out_file, plot_file, metric
        self.curve = dict(schedule={}, val=[], train=[])

    def _path(self, runner, name: str) -> str:
        return osp.join(runner.work_dir, name)

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        if hasattr(loop, 'summary'):
            self.curve['schedule'] = loop.summary()
        path = self._path(runner, self.out_file)
        if runner.iter > 0 and osp.exists(path):  # resumed run
            with open(path) as f:
                old = json.load(f)
            for part in ('val', 'train'):
                self.curve[part] = [r for r in old.get(part, []) if r['iter'] <= runner.iter]

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if not self.every_n_train_iters(runner, self.loss_interval) or not outputs:
            return
        loss = outputs.get('loss')
        if loss is None:
            return
        lr = runner.optim_wrapper.get_lr()
        lr = next(iter(lr.values()))[0] if isinstance(lr, dict) else lr
        loss = float(torch.as_tensor(loss).detach())
        extra = {k: float(torch.as_tensor(outputs[k]).detach()) for k in self.train_keys
                 if k in outputs}
        self.curve['train'].append(dict(iter=runner.iter + 1, loss=loss, lr=float(lr), **extra))

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if runner.rank != 0:
            return
        record = dict(iter=runner.iter)
        # numbers.Real also covers NumPy scalars (mmseg's IoUMetric returns them)
        record.update({k: float(v) for k, v in (metrics or {}).items()
                       if isinstance(v, numbers.Real)})
        if not metric_keys(record):  # mmdet's CocoMetric returns {} when nothing was detected
            record['empty'] = True
        self.curve['val'].append(record)
        self._write(runner)

    def after_run(self, runner) -> None:
        if runner.rank == 0 and (self.curve['val'] or self.curve['train']):
            self._write(runner)

    def _write(self, runner) -> None:
        skipped = runner.message_hub.get_info('unreadable_images/train')
        if skipped:  # counted by UnreadableImageHook
            self.curve['unreadable_images'] = dict(train=skipped)
        atomic_write_json(self.curve, self._path(runner, self.out_file), indent=1)
        if self.plot_file:
            curve = dict(self.curve, val=fill_empty_records(self.curve['val']))
            plot_learning_curves([(osp.basename(runner.work_dir), curve)],
                                 self._path(runner, self.plot_file), self.metric)
