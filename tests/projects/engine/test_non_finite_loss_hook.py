"""NonFiniteLossHook: stop with the iteration and the term, skip up to N
steps, and never let a bad step reach the weights or a checkpoint."""
import os.path as osp

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

import projects.register  # noqa: F401  (registers the hook; allow-lists checkpoint types)
from projects.engine.hooks import NonFiniteLossHook
from projects.compat.torch_load import torch_load_safely


class _Model(BaseModel):
    """loss_a is finite; loss_b is NaN (or Inf) at the listed iterations."""

    def __init__(self, bad=(), value=float('nan')):
        super().__init__()
        torch.manual_seed(0)  # same start in every run
        self.linear = nn.Linear(2, 1)
        self.bad, self.value, self.calls = set(bad), value, 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.calls += 1
        out = self.linear(torch.stack(inputs)).mean()
        bad = self.value if self.calls in self.bad else 0.0
        return dict(loss_a=out ** 2, loss_b=out * 0 + bad)


def _train(tmp_path, max_iters, model, **hook):
    runner = Runner(
        model=model, work_dir=str(tmp_path),
        train_dataloader=dict(dataset=[dict(inputs=torch.ones(2))] * 4, batch_size=1,
                              sampler=dict(type='InfiniteSampler', shuffle=False),
                              collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False)),
        custom_hooks=[dict(type='NonFiniteLossHook', **hook)],
        randomness=dict(seed=0), default_scope='mmengine')
    return runner


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_stops_naming_the_iteration_and_term_with_weights_of_last_good_step(tmp_path, value):
    good = _train(tmp_path / 'good', 3, _Model())
    good.train()
    bad = _train(tmp_path / 'bad', 6, _Model(bad={4}, value=value))
    with pytest.raises(FloatingPointError, match=r'iteration 4 \(loss_b\)'):
        bad.train()
    for k, v in _weights(good.model).items():
        torch.testing.assert_close(bad.model.state_dict()[k], v, rtol=0, atol=0)
    ckpt = torch_load_safely(osp.join(tmp_path / 'bad', 'iter_2.pth'))
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values())


def test_skips_up_to_max_skips(tmp_path):
    runner = _train(tmp_path / 'a', 6, _Model(bad={3}), max_skips=1)
    runner.train()  # one bad step tolerated
    assert all(torch.isfinite(v).all() for v in runner.model.state_dict().values())
    hook = [h for h in runner.hooks if isinstance(h, NonFiniteLossHook)][0]
    assert hook.skipped == 1
    runner = _train(tmp_path / 'b', 6, _Model(bad={3, 5}), max_skips=1)
    with pytest.raises(FloatingPointError, match='iteration 5'):
        runner.train()


def test_bad_argument_is_named():
    with pytest.raises(ValueError, match='max_skips'):
        NonFiniteLossHook(max_skips=-1)
