"""Every checkpoint load ends in one line that names the file and the cause.

torch's own messages for a bad checkpoint are long and, for refused pickles,
advise ``weights_only=False``: exactly the unsafe step this project never
takes. :func:`safe_load_from_local` (the local end of
:func:`projects.compat.checkpoint_loading.load_checkpoint_safely`, which our
runner, ``SafePretrained`` and our tools use) turns each failure into a
:class:`CheckpointError` whose text says what is wrong:

* not found;
* empty, truncated or not a checkpoint (with the file's size);
* holds objects outside the safe-load allow-list (the first global named;
  refused for safety, nothing in it ran), or is a pickle the safe loader
  cannot read at all (refused, nothing ran).

A checkpoint that loads but does not fit the model is reported by
:func:`describe_mismatch` (first missing and first unexpected key).
"""
import os.path as osp
import re
import zipfile
from typing import Iterable, Optional


from projects.utils.errors import CheckpointError

from .torch_load import torch_load_safely


def _size(path: str) -> str:
    n = osp.getsize(path)
    return f'{n} bytes' if n < 2**20 else f'{n / 2**20:.1f} MB'


def describe_load_failure(path: str, exc: BaseException) -> str:
    """One line for a file ``torch.load`` refused or could not read."""
    text = str(exc)
    # torch names the refused global ('Unsupported global: GLOBAL x.y', or 'Trying to
    # load unsupported GLOBAL x.y whose module x is blocked')
    refused = re.search(r'[Uu]nsupported (?:global: )?GLOBAL ([\w.]+)', text)
    if refused:
        return (f'{path} holds objects outside the safe-load allow-list (first: '
                f'{refused.group(1)}); refused for safety, nothing in it was run')
    if osp.getsize(path) == 0:
        return f'{path} is empty (0 bytes): not a checkpoint'
    with open(path, 'rb') as f:
        head = f.read(4)
    unpickler = re.search(r'WeightsUnpickler error:\s*(\S[^\n]*)', text)
    if head.startswith(b'PK'):
        cause = 'a truncated or damaged checkpoint archive'
    elif head[:1] != b'\x80':
        cause = 'not a checkpoint (no torch archive or pickle header)'
    elif unpickler:  # e.g. a plain pickle of protocol >= 4: the safe loader reads none of it
        return (f'{path} is a pickle the safe loader refuses ({unpickler.group(1).strip()}, '
                f'{_size(path)}); nothing in it was run')
    else:
        cause = 'a truncated or damaged pickle'
    return f'{path} is {cause} ({_size(path)}); re-copy or re-create it'


def check_checkpoint_file(path: str) -> Optional[str]:
    """None if ``path`` loads (archive CRCs and safe unpickling), else the reason."""
    if not osp.isfile(path):
        return f'checkpoint not found: {path}'
    try:
        archive = zipfile.is_zipfile(path)
        if archive:
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
            if bad is not None:
                return f'{path} is a damaged checkpoint archive ({_size(path)}): bad CRC in {bad}'
        torch_load_safely(path, map_location='cpu', mmap=archive)
    except Exception as e:  # noqa: BLE001  (any failure to read is the answer)
        return describe_load_failure(path, e)
    return None


def safe_load_from_local(filename: str, map_location=None):
    """``torch_load_safely`` of a local file, each failure a one-line :class:`CheckpointError`."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise CheckpointError(f'checkpoint not found: {filename}')
    try:
        return torch_load_safely(filename, map_location=map_location)
    except Exception as e:  # noqa: BLE001  (random bytes raise any of a dozen types)
        raise CheckpointError(describe_load_failure(filename, e)) from None


def _first_keys(text: str, kind: str) -> Optional[str]:
    """'KEY (+N more)' of the missing/unexpected keys in a load error, in
    mmengine's ('missing keys in source state_dict: a, b') or torch's
    ('Missing key(s) in state_dict: "a", "b"') wording."""
    m = re.search(kind + r' keys? in source state_dict: ([^\n]+)', text, re.I)
    keys = [k.strip() for k in m.group(1).split(',')] if m else []
    if not m:
        m = re.search(kind + r' key\(s\) in state_dict: ([^\n]+)', text, re.I)
        keys = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    keys = [k for k in keys if k]
    if not keys:
        return None
    return keys[0] + (f' (+{len(keys) - 1} more)' if len(keys) > 1 else '')


def describe_mismatch(path: str, config: str, exc: BaseException) -> str:
    """One line for a state dict that does not fit the model of ``config``."""
    text = str(exc)
    parts = [f'{kind} {keys}' for kind in ('missing', 'unexpected')
             if (keys := _first_keys(text, kind))]
    if not parts:
        shape = re.search(r'size mismatch for ([\w.]+)', text)
        parts = [f'shape of {shape.group(1)} differs' if shape else text.strip().split('\n')[0]]
    return f'{path} does not fit the model of {config} (another architecture?): ' + \
        '; '.join(parts)


def newest_loadable(paths: Iterable[str]):
    """(first path whose file loads, [(skipped path, reason), ...]) in the given order."""
    skipped = []
    for path in paths:
        reason = check_checkpoint_file(path)
        if reason is None:
            return path, skipped
        skipped.append((path, reason))
    return None, skipped


__all__ = ['CheckpointError', 'check_checkpoint_file', 'describe_load_failure',
           'describe_mismatch', 'newest_loadable',
           'safe_load_from_local']
