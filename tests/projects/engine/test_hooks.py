"""SyncBNFallbackHook and PreciseBNHook, checked numerically."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseDataPreprocessor, BaseModel
from torch import nn

from projects.engine.hooks import PreciseBNHook, SyncBNFallbackHook, count_sync_bn


class _BNModel(BaseModel):
    def __init__(self, bn):
        super().__init__(data_preprocessor=BaseDataPreprocessor())
        self.bn = bn

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.bn(inputs)


def test_sync_bn_falls_back_to_bn_with_one_process():
    model = _BNModel(nn.SyncBatchNorm(4))
    weight = model.bn.weight
    SyncBNFallbackHook().before_run(SimpleNamespace(model=model, world_size=1))
    assert count_sync_bn(model) == 0
    assert isinstance(model.bn, nn.modules.batchnorm._BatchNorm)
    assert model.bn.weight is weight  # optimizer keeps the same parameters


def test_sync_bn_on_cpu_process_group_is_a_clear_error():
    model = _BNModel(nn.SyncBatchNorm(4))
    with pytest.raises(RuntimeError, match='SyncBN needs CUDA'):
        SyncBNFallbackHook().before_run(SimpleNamespace(model=model, world_size=2))


def test_precise_bn_equals_mean_of_batch_statistics():
    torch.manual_seed(0)
    model = _BNModel(nn.BatchNorm1d(3, momentum=0.1))
    batches = [dict(inputs=torch.randn(8, 3) * (i + 1) + i) for i in range(5)]
    model.bn.running_mean.fill_(100.)  # stale statistics
    hook = PreciseBNHook(num_iters=5)
    model.eval()
    hook.update_bn_stats(model, [model.bn], batches)
    mean = torch.stack([b['inputs'].mean(0) for b in batches]).mean(0)
    var = torch.stack([b['inputs'].var(0, unbiased=True) for b in batches]).mean(0)
    assert torch.allclose(model.bn.running_mean, mean, atol=1e-5)
    assert torch.allclose(model.bn.running_var, var, atol=1e-4)
    assert model.bn.momentum == 0.1 and not model.training  # restored


def test_precise_bn_holds_one_batch_at_a_time():
    """12 batches from a loader of 5: each pass is re-opened, nothing is kept."""
    import weakref
    alive, drawn = [], []

    class Loader:
        def __iter__(self):
            for i in range(5):
                batch = torch.randn(4, 3) + i
                alive.append(weakref.ref(batch))
                yield dict(inputs=batch)

    class Counting(_BNModel):
        def forward(self, inputs, data_samples=None, mode='tensor'):
            drawn.append(sum(r() is not None for r in alive))
            return self.bn(inputs)
    model = Counting(nn.BatchNorm1d(3))
    PreciseBNHook(num_iters=12).update_bn_stats(model, [model.bn], Loader())
    assert len(drawn) == 12 and len(alive) == 12
    assert max(drawn) <= 2, drawn  # itertools.cycle held up to 5 (the whole first pass)


def test_precise_bn_rejects_bad_num_iters():
    with pytest.raises(ValueError, match='num_iters'):
        PreciseBNHook(num_iters=0)
