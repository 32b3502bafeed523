"""Checkpoint loading ends in one line naming the file and the true cause; a
full disk leaves no partial file."""
import errno
import os
import os.path as osp
import pickle
import random

import pytest
import torch
from mmengine.runner.checkpoint import load_state_dict

from projects.compat.checkpoint_errors import (check_checkpoint_file, describe_mismatch,
                                               newest_loadable)
from projects.compat.checkpoint_loading import load_checkpoint_safely
from projects.models import SafePretrained
from projects.utils.errors import CheckpointError, DiskFullError
from projects.utils.io import atomic_write_json, atomic_write_text


def _good(path, n=64):
    torch.save(dict(meta=dict(iter=1), state_dict={'w': torch.arange(n, dtype=torch.float32)}),
               path)
    return str(path)


def _load_error(path):
    with pytest.raises(CheckpointError) as e:
        load_checkpoint_safely(str(path), map_location='cpu')
    msg = str(e.value)
    assert '\n' not in msg and 'weights_only' not in msg  # never the unsafe advice
    return msg


class Evil:
    def __reduce__(self):
        return (os.system, ('touch EVIL_RAN',))


def test_each_cause_is_named(tmp_path):
    assert _load_error(tmp_path / 'nope.pth') == f'checkpoint not found: {tmp_path}/nope.pth'
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert _load_error(tmp_path / 'empty.pth') == f'{tmp_path}/empty.pth is empty (0 bytes): ' \
        'not a checkpoint'
    for seed in range(20):  # random bytes make torch raise any of a dozen exception types
        noise = random.Random(seed).randbytes(3000).replace(b'PK', b'pk').replace(b'\x80', b'\x81')
        (tmp_path / 'random.pth').write_bytes(noise)
        assert _load_error(tmp_path / 'random.pth') == (
            f'{tmp_path}/random.pth is not a checkpoint (no torch archive or pickle header) '
            '(3000 bytes); re-copy or re-create it')
    good = _good(tmp_path / 'good.pth', 4096)
    data = open(good, 'rb').read()
    (tmp_path / 'cut.pth').write_bytes(data[:len(data) // 2])
    assert _load_error(tmp_path / 'cut.pth') == (
        f'{tmp_path}/cut.pth is a truncated or damaged checkpoint archive '
        f'({len(data) // 2} bytes); re-copy or re-create it')


def test_a_pickle_that_would_run_code_is_refused_and_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    torch.save(dict(state_dict={'w': torch.zeros(1)}, hook=Evil()), tmp_path / 'evil.pth')
    msg = _load_error(tmp_path / 'evil.pth')
    assert msg == (f'{tmp_path}/evil.pth holds objects outside the safe-load allow-list '
                   f'(first: {os.system.__module__}.system); refused for safety, nothing in '
                   'it was run')
    assert not (tmp_path / 'EVIL_RAN').exists()
    with open(tmp_path / 'legacy.pkl', 'wb') as f:  # an old-style plain pickle
        pickle.dump(Evil(), f)
    assert _load_error(tmp_path / 'legacy.pkl').startswith(
        f'{tmp_path}/legacy.pkl is a pickle the safe loader refuses (Unsupported operand')
    assert not (tmp_path / 'EVIL_RAN').exists()


def test_mmengine_checkpoints_still_load(tmp_path):
    from mmengine.logging import HistoryBuffer
    path = tmp_path / 'mm.pth'
    loss = HistoryBuffer()
    loss.update(1.0)
    torch.save(dict(state_dict={'weight': torch.ones(2)},
                    message_hub=dict(log_scalars={'loss': loss})), path)
    assert torch.equal(load_checkpoint_safely(str(path))['state_dict']['weight'], torch.ones(2))
    model = torch.nn.Linear(2, 1)
    with pytest.raises(CheckpointError, match='is not a checkpoint'):
        (tmp_path / 'r.pth').write_bytes(b'not a checkpoint at all')
        SafePretrained(checkpoint=str(tmp_path / 'r.pth'))(model)


def test_a_flipped_byte_is_found_by_the_check(tmp_path):
    good = _good(tmp_path / 'good.pth', 4096)
    assert check_checkpoint_file(good) is None
    data = bytearray(open(good, 'rb').read())
    data[len(data) // 2] ^= 0xFF  # inside the tensor data: torch.load alone would not see it
    (tmp_path / 'flip.pth').write_bytes(bytes(data))
    reason = check_checkpoint_file(str(tmp_path / 'flip.pth'))
    assert reason.startswith(f'{tmp_path}/flip.pth is a damaged checkpoint archive') and \
        'bad CRC' in reason


def test_newest_loadable_skips_and_reports(tmp_path):
    paths = [str(tmp_path / f'iter_{i}.pth') for i in (12, 9, 6)]
    (tmp_path / 'iter_12.pth').write_bytes(b'')
    (tmp_path / 'iter_9.pth').write_bytes(b'PK\x03\x04truncated')
    _good(paths[2])
    path, skipped = newest_loadable(paths)
    assert path == paths[2]
    assert [p for p, _ in skipped] == paths[:2]
    assert 'is empty' in skipped[0][1] and 'truncated or damaged' in skipped[1][1]
    assert all(osp.exists(p) for p in paths)  # never deleted
    assert newest_loadable(paths[:2])[0] is None


def test_mismatch_names_first_missing_and_unexpected_key():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
    state = {'0.weight': torch.zeros(2, 2), '0.bias': torch.zeros(2), 'head.w': torch.zeros(1)}
    with pytest.raises(RuntimeError) as e:
        model.load_state_dict(state, strict=True)
    assert describe_mismatch('a.pth', 'cfg.py', e.value) == (
        'a.pth does not fit the model of cfg.py (another architecture?): missing 1.weight '
        '(+1 more); unexpected head.w')
    with pytest.raises(RuntimeError) as e:  # mmengine's loader words it differently
        load_state_dict(model, state, strict=True)
    assert describe_mismatch('a.pth', 'cfg.py', e.value) == (
        'a.pth does not fit the model of cfg.py (another architecture?): missing 1.weight '
        '(+1 more); unexpected head.w')


def test_a_full_disk_keeps_the_previous_file(tmp_path, monkeypatch):
    out = tmp_path / 'pseudo.json'
    atomic_write_json({'images': [1]}, str(out))

    def no_space(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', no_space)
    with pytest.raises(DiskFullError, match='disk full while writing .*pseudo.json'):
        atomic_write_text('{"images": [1, 2]}', str(out))
    assert out.read_text() == '{"images": [1]}' and os.listdir(tmp_path) == ['pseudo.json']
