"""Atomic file output: write to a temporary file, then rename.

A failed write (a full disk, a kill) removes the temporary file, so no partial
file is ever left looking complete; ENOSPC becomes a one-line
:class:`DiskFullError`.
"""
import errno
import json
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from .errors import DiskFullError


def disk_full(exc: BaseException, path: str) -> BaseException:
    """``exc`` as a :class:`DiskFullError` naming ``path`` when it is ENOSPC."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFullError(f'disk full while writing {path}; nothing partial was left '
                             '(free space and run again: finished work is kept)')
    return exc


def _umask() -> int:
    """The process's umask (read by setting it and back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str, suffix: Optional[str] = None) -> Iterator[str]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    Args:
        path: the final file.
        suffix: a fixed temporary name ``path + suffix`` (a rerun after a kill
            overwrites the leftover); default: a unique hidden name.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if suffix:
        tmp = path + suffix
    else:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + osp.basename(path), suffix='.tmp')
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 -> what open() would give
        os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as e:
        if osp.exists(tmp):
            os.remove(tmp)
        err = disk_full(e, path)
        if err is e:
            raise
        raise err from None


def atomic_write_text(text: str, path: str) -> None:
    """Write ``text`` to ``path`` so that readers never see a partial file."""
    with atomic_output(path) as tmp, open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def atomic_write_json(obj: Any, path: str, **kwargs) -> None:
    """Dump ``obj`` as JSON to ``path`` atomically."""
    atomic_write_text(json.dumps(obj, **kwargs), path)
