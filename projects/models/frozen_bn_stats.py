"""Forwards that train through BN layers without moving their running statistics."""
from contextlib import contextmanager
from typing import Iterator

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@contextmanager
def frozen_bn_stats(module: nn.Module, enabled: bool = True) -> Iterator[None]:
    """Inside, every tracking BN/SyncBN layer of ``module`` normalises with its
    batch's statistics (training is unchanged) but leaves ``running_mean`` and
    ``running_var`` as they are (momentum 0), so that the statistics used at
    test time come from the forwards outside only. With ``enabled=False`` it
    changes nothing (a student's ``pseudo_updates_bn=True``).

    The students and joint training run their human (detection) batches
    outside and their pseudo-labelled and classification batches inside: the
    test-time statistics are those of labelled detection images, as a
    supervised run's are, at every checkpoint and without extra passes.
    """
    layers = [m for m in module.modules()
              if enabled and isinstance(m, _BatchNorm) and m.track_running_stats]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in layers]
    for m in layers:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, (momentum, tracked) in zip(layers, saved):
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)
