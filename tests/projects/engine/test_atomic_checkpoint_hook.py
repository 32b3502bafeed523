"""AtomicCheckpointHook: atomic local writes by default, remote backends as given, and
published models read safely and written atomically."""
import glob
import os

import torch
from mmengine.logging import HistoryBuffer

from projects.compat import load_checkpoint_safely
from projects.engine.hooks import AtomicCheckpointHook
from projects.fileio import atomic_save_checkpoint


def test_publishing_keeps_the_published_keys_only(tmp_path):
    loss = HistoryBuffer()
    loss.update(0.5)
    path = str(tmp_path / 'iter_4.pth')
    atomic_save_checkpoint(dict(meta=dict(iter=4), state_dict={'w': torch.ones(2)},
                                message_hub=dict(log_scalars={'loss': loss}),
                                optimizer={'lr': 0.1}), path)
    hook = AtomicCheckpointHook(interval=1, published_keys=['meta', 'state_dict'])
    hook._publish_model(None, path)  # mmengine's message hub object: read with the allow-list
    [published] = glob.glob(str(tmp_path / 'iter_4-*.pth'))
    checkpoint = load_checkpoint_safely(published)
    assert set(checkpoint) == {'meta', 'state_dict'}
    assert torch.equal(checkpoint['state_dict']['w'], torch.ones(2))
    assert not [n for n in os.listdir(tmp_path) if n.endswith('.part')]


class _Runner:
    """What ``_save_checkpoint_with_step`` touches of a runner."""

    def __init__(self, work_dir):
        from mmengine.logging import MessageHub
        self.work_dir = str(work_dir)
        self.message_hub = MessageHub.get_instance('atomic_checkpoint_hook_test')

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        atomic_save_checkpoint(dict(meta={}), os.path.join(out_dir, filename))


def _hook(runner, keep):
    hook = AtomicCheckpointHook(interval=1, by_epoch=False, max_keep_ckpts=keep)
    hook.out_dir = runner.work_dir
    from mmengine.fileio import get_file_backend
    from collections import deque
    hook.file_backend = get_file_backend(runner.work_dir, backend_args=hook.backend_args)
    hook.keep_ckpt_ids = deque(maxlen=max(keep, 1))  # what before_train sets
    return hook


def test_steps_rotate_as_mmengine_and_point_at_the_newest(tmp_path):
    runner = _Runner(tmp_path)
    hook = _hook(runner, keep=2)
    for step in (1, 2, 3):
        hook._save_checkpoint_with_step(runner, step, meta={})
    assert sorted(n for n in os.listdir(tmp_path) if n.endswith('.pth')) == \
        ['iter_2.pth', 'iter_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_3.pth')
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2, 3]


def test_a_kill_while_pointing_leaves_the_old_pointer(tmp_path, monkeypatch):
    runner = _Runner(tmp_path)
    hook = _hook(runner, keep=-1)
    hook._save_checkpoint_with_step(runner, 1, meta={})
    monkeypatch.setattr('builtins.open', _killed_open(open))
    try:
        hook._save_checkpoint_with_step(runner, 2, meta={})
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert (tmp_path / 'iter_2.pth').exists()  # the checkpoint is whole; its pointer died
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_1.pth')
    assert not [n for n in os.listdir(tmp_path) if n.endswith(('.part', '.tmp'))]


def _killed_open(real_open):
    """``open`` whose writes to a ``last_checkpoint`` file die after 3 characters
    (what a kill looks like to the writer)."""
    def opener(path, mode='r', *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if 'last_checkpoint' in str(path) and 'w' in mode:
            def write(text):
                real_write(text[:3])
                handle.flush()
                raise KeyboardInterrupt
            real_write = handle.write
            handle.write = write
        return handle
    return opener
