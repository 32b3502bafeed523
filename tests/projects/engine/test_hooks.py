"""SyncBNFallbackHook and PreciseBNHook, checked numerically."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseDataPreprocessor, BaseModel
from torch import nn

from projects.engine.hooks import PreciseBNHook, SyncBNFallbackHook, count_sync_bn
from projects.compat.torch_load import torch_load_safely


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


class _ToyBNModel(BaseModel):
    """Linear, BN (its statistics depend on the trained weights), linear head:
    loss in 'loss' mode, predictions otherwise."""

    def __init__(self):
        super().__init__(data_preprocessor=BaseDataPreprocessor())
        self.stem, self.bn, self.fc = nn.Linear(3, 3), nn.BatchNorm1d(3, momentum=0.5), \
            nn.Linear(3, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        out = self.fc(self.bn(self.stem(x)))
        if mode == 'loss':
            return dict(loss=(out ** 2).mean())
        return out if mode == 'tensor' else [dict(pred=o) for o in out]


def _toy_runner(work_dir, max_iters=4, interval=2):
    from mmengine.evaluator import BaseMetric

    from projects.engine.runner import RethinkRunner

    class MeanPrediction(BaseMetric):
        def process(self, data_batch, data_samples):
            self.results.extend(float(s['pred']) for s in data_samples)

        def compute_metrics(self, results):
            return dict(mean_pred=sum(results) / len(results))

    data = [dict(inputs=torch.randn(3) * 2 + 1) for _ in range(16)]
    loader = dict(dataset=data, sampler=dict(type='DefaultSampler', shuffle=True),
                  batch_size=4, collate_fn=dict(type='default_collate'))
    hook = PreciseBNHook(num_iters=3)
    computed = {}
    recompute = hook.recompute

    def record(runner):
        recompute(runner)
        computed[runner.iter + 1] = runner.model.bn.running_mean.clone()
    hook.recompute = record
    runner = RethinkRunner(
        model=_ToyBNModel(), work_dir=str(work_dir), train_dataloader=loader,
        val_dataloader=dict(loader, sampler=dict(type='DefaultSampler', shuffle=False)),
        val_evaluator=[MeanPrediction()], val_cfg=dict(),
        train_cfg=dict(by_epoch=False, max_iters=max_iters, val_interval=interval),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.5)),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=interval,
                                           by_epoch=False)),
        custom_hooks=[hook], randomness=dict(seed=0))
    return runner, computed


def test_precise_bn_statistics_reach_the_checkpoint_of_the_same_iteration(tmp_path):
    runner, computed = _toy_runner(tmp_path)
    runner.train()
    assert sorted(computed) == [2, 4]  # at each validation, the last one included
    for it, mean in computed.items():
        saved = torch_load_safely(tmp_path / f'iter_{it}.pth')['state_dict']['bn.running_mean']
        assert torch.equal(saved, mean), it  # not the momentum statistics of the steps
    # the recomputation is not a no-op: the step statistics (momentum 0.5) differ
    assert not torch.equal(computed[4], computed[2])


def test_a_checkpoint_evaluates_to_the_validation_logged_at_its_iteration(tmp_path):
    runner, _ = _toy_runner(tmp_path / 'train')
    runner.train()
    logged = runner.message_hub.get_scalar('val/mean_pred').current()
    tester, _ = _toy_runner(tmp_path / 'test')
    tester._test_dataloader = tester._val_dataloader
    tester._test_evaluator = tester._val_evaluator
    tester._test_loop = dict()
    tester._load_from = str(tmp_path / 'train' / 'iter_4.pth')
    metrics = tester.test()
    assert metrics['mean_pred'] == logged  # exact, on CPU


def test_precise_bn_leaves_an_infinite_training_loader_running():
    """mmengine's InfiniteSampler shares one index generator between all iterators
    of a loader: a PreciseBN pass over the training loader itself closed it, and
    the next training step ended in StopIteration. The hook draws from the
    training loop's own stream instead."""
    from mmengine.runner import Runner
    from mmengine.runner.loops import _InfiniteDataloaderIterator

    class Data(torch.utils.data.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return dict(inputs=torch.full((3,), float(i)))
    loader = Runner.build_dataloader(dict(
        batch_size=2, num_workers=0, dataset=Data(), collate_fn=dict(type='default_collate'),
        sampler=dict(type='InfiniteSampler', shuffle=True)), seed=0)

    class FakeRunner:
        train_dataloader = loader

        class train_loop:
            dataloader_iterator = _InfiniteDataloaderIterator(loader)

    runner = FakeRunner()
    stream = runner.train_loop.dataloader_iterator
    next(stream)
    hook = PreciseBNHook(num_iters=7)
    model = _BNModel(nn.BatchNorm1d(3))
    for _ in range(2):  # two evaluations
        hook.update_bn_stats(model, [model.bn], hook._batches(runner))
        for _ in range(10):
            assert next(stream)['inputs'].shape == (2, 3)  # training goes on
    # the old way, a new pass over the loader, ends the training stream
    list(zip(range(3), loader))
    with pytest.raises(StopIteration):
        next(iter(loader))
