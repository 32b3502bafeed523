"""A run's record of the images that could not be decoded; torch-free.

Data-loader workers are separate processes, so a skipped image is appended as
one JSON line to a file that every process of the run shares: the path in the
``RETHINK_UNREADABLE_LOG`` environment variable (``tools/train.py`` and
``tools/test.py`` set ``{work_dir}/unreadable_images.jsonl``), else a file in
the temporary folder named after the process that imported this module (data
loader workers are forked from it, so they share it). Each line is
``{"path", "reason", "phase": "train"|"eval", "img_id"}``.
"""
import json
import math
import os
import os.path as osp
import tempfile
from typing import List, Optional

ENV = 'RETHINK_UNREADABLE_LOG'
# the unreadable images a run tolerates: a fraction of the set (float) or a count (int);
# training's default (the runtimes' max_bad_images) and the labelling tools' --max-bad-images
DEFAULT_MAX_BAD_IMAGES = 0.01
FILE_NAME = 'unreadable_images.jsonl'
_DEFAULT = osp.join(tempfile.gettempdir(), f'rethink_unreadable_{os.getpid()}.jsonl')


def log_path() -> str:
    """The record file of this run."""
    return os.environ.get(ENV) or _DEFAULT


def use_work_dir(work_dir: str) -> str:
    """Record this run's unreadable images in ``work_dir`` (call before any
    data-loader worker starts); return the record file."""
    path = osp.join(osp.abspath(work_dir), FILE_NAME)
    os.environ[ENV] = path
    return path


def record(path: str, reason: str, phase: str, img_id=None) -> None:
    """Append one unreadable image to the run's record (one ``write`` of one
    line in append mode, so lines from several processes do not interleave)."""
    line = json.dumps(dict(path=path, reason=reason, phase=phase, img_id=img_id)) + '\n'
    target = log_path()
    os.makedirs(osp.dirname(target) or '.', exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


class RecordReader:
    """Reads the records appended to a record file since the last call.

    Args:
        path: the record file; default: :func:`log_path` at each call.
    """

    def __init__(self, path: Optional[str] = None) -> None:
        self.path, self.offset = path, 0

    def _file(self) -> str:
        return self.path or log_path()

    def skip_to_end(self) -> None:
        """Forget what the file holds now: :meth:`new` returns later lines only."""
        try:
            self.offset = osp.getsize(self._file())
        except OSError:
            self.offset = 0

    def new(self) -> List[dict]:
        """Records appended since the last call (complete lines only)."""
        try:
            if osp.getsize(self._file()) <= self.offset:
                return []
            with open(self._file(), 'rb') as f:
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return []
        end = chunk.rfind(b'\n') + 1
        self.offset += end
        out = []
        for line in chunk[:end].splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


def is_bad_image_limit(value) -> bool:
    """Whether ``value`` is a valid ``max_bad_images``: a fraction in [0, 1) (float)
    or a count >= 0 (int)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and value >= 0 and not (isinstance(value, float) and value >= 1)


def bad_image_limit(max_bad_images, size: int) -> int:
    """The most unreadable images tolerated among ``size``: ``floor(fraction * size)``
    for a float in [0, 1), the count itself for an int."""
    if isinstance(max_bad_images, float):
        return math.floor(max_bad_images * size)
    return int(max_bad_images)


def parse_max_bad_images(text: str):
    """``--max-bad-images``: '0.05' (a fraction) or '3' (a count); UserInputError otherwise."""
    from .errors import UserInputError
    try:
        value = float(text) if any(c in text for c in '.eE') else int(text)
    except ValueError:
        value = None
    if not is_bad_image_limit(value):
        raise UserInputError(f'--max-bad-images must be a fraction in [0, 1) or a count >= 0, '
                             f'got {text!r}')
    return value
