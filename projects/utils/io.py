"""Atomic file output: write to a temporary file, then rename."""
import json
import os
import os.path as osp
import tempfile
from typing import Any


def atomic_write_text(text: str, path: str) -> None:
    """Write ``text`` to ``path`` so that readers never see a partial file."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + osp.basename(path), suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write_json(obj: Any, path: str, **kwargs) -> None:
    """Dump ``obj`` as JSON to ``path`` atomically."""
    atomic_write_text(json.dumps(obj, **kwargs), path)
