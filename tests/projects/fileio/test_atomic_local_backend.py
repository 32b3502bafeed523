"""Checkpoints are written atomically through a registered file backend: a save
that dies half-way (a kill, a full disk) leaves the previous file as it was
and no file that looks complete; mmengine's default backend is unchanged."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from mmengine.fileio import LocalBackend, get_file_backend
from mmengine.runner import save_checkpoint

from projects.compat import load_checkpoint_safely
from projects.fileio import AtomicLocalBackend, atomic_save_checkpoint
from tests.conftest import ROOT


def test_registered_by_name_only():
    assert type(get_file_backend('/tmp/x.pth')) is LocalBackend  # mmengine's default stays
    backend = get_file_backend('/tmp/x.pth', backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)


def test_save_then_load(tmp_path):
    path = str(tmp_path / 'iter_2.pth')
    save_checkpoint(dict(state_dict=dict(w=torch.ones(3))), path,
                    backend_args=dict(backend='atomic_local'))
    assert os.listdir(tmp_path) == ['iter_2.pth']
    assert torch.equal(load_checkpoint_safely(path)['state_dict']['w'], torch.ones(3))


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'iter_2.pth')
    atomic_save_checkpoint(dict(step=1), path)
    before = open(path, 'rb').read()

    def dies_before_the_rename(fd):
        raise KeyboardInterrupt  # what a kill looks like to the writer
    monkeypatch.setattr(os, 'fsync', dies_before_the_rename)  # the .part is written by then
    with pytest.raises(KeyboardInterrupt):
        atomic_save_checkpoint(dict(step=2), path)
    monkeypatch.undo()
    assert open(path, 'rb').read() == before
    assert os.listdir(tmp_path) == ['iter_2.pth']


def test_killed_while_writing_keeps_the_old_checkpoint(tmp_path):
    """SIGKILL of a process in the middle of writing a 400 MB checkpoint."""
    path = str(tmp_path / 'iter_4.pth')
    atomic_save_checkpoint(dict(state_dict=dict(w=torch.zeros(3))), path)
    code = textwrap.dedent(f"""
        import sys, torch
        sys.path.insert(0, {ROOT!r})
        from projects.fileio import atomic_save_checkpoint
        print('start', flush=True)
        atomic_save_checkpoint(dict(state_dict=dict(w=torch.ones(100_000_000))), {path!r})
    """)
    proc = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'start'
    part = path + '.part'
    deadline = time.time() + 120
    while not (os.path.exists(part) and os.path.getsize(part) > 0) and time.time() < deadline:
        time.sleep(0.005)
    assert os.path.exists(part), 'the writer never started its .part file'
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # the old checkpoint is whole; what was being written is only the .part
    assert torch.equal(load_checkpoint_safely(path)['state_dict']['w'], torch.zeros(3))
    assert os.path.getsize(part) < 400_000_000


def test_a_full_disk_leaves_no_partial_checkpoint(tmp_path, monkeypatch):
    import errno

    from projects.utils.errors import DiskFullError

    def fill_disk(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', fill_disk)
    target = str(tmp_path / 'iter_6.pth')
    with pytest.raises(DiskFullError) as e:
        atomic_save_checkpoint({}, target)
    monkeypatch.undo()
    assert str(e.value).startswith(f'disk full while writing {target}; nothing partial')
    assert os.listdir(tmp_path) == []
