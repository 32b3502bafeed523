"""Checkpoints are written atomically: a save that dies half-way leaves the
previous file as it was and no file that looks complete."""
import os

import pytest
import torch
import mmengine.runner.runner as runner_module

import projects.register  # noqa: F401  (applies the shim)
from projects.compat import atomic_save_checkpoint


def test_the_runner_saves_through_the_shim():
    assert runner_module.save_checkpoint is atomic_save_checkpoint


def test_save_then_load(tmp_path):
    path = str(tmp_path / 'iter_2.pth')
    runner_module.save_checkpoint(dict(state_dict=dict(w=torch.ones(3))), path)
    assert os.listdir(tmp_path) == ['iter_2.pth']
    assert torch.equal(torch.load(path, weights_only=True)['state_dict']['w'], torch.ones(3))


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'iter_2.pth')
    runner_module.save_checkpoint(dict(step=1), path)
    before = open(path, 'rb').read()

    def dies_half_way(obj, f, *args, **kwargs):
        f.write(b'partial')
        raise KeyboardInterrupt  # what a kill looks like to the writer
    monkeypatch.setattr(torch, 'save', dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        runner_module.save_checkpoint(dict(step=2), path)
    assert open(path, 'rb').read() == before
    assert not any(n.endswith('.pth') and n != 'iter_2.pth' for n in os.listdir(tmp_path))
