"""A local file backend whose files appear whole or not at all."""
import os
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from projects.utils.io import atomic_output

NAME = 'atomic_local'


@register_backend(NAME)
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` writing through ``PATH.part`` and a rename.

    mmengine writes a checkpoint in place, so a run killed while saving leaves
    a truncated ``iter_N.pth`` that looks complete. With this backend each
    file is written to ``PATH.part`` and renamed over ``PATH`` once whole: a
    kill leaves the previous file (or none) and at most a ``.part`` that the
    next save overwrites; a full disk (ENOSPC) removes the ``.part`` and stops
    with one line (:class:`~projects.utils.errors.DiskFullError`). Reading,
    listing and removing are ``LocalBackend``'s.

    Select it with ``backend_args=dict(backend='atomic_local')``: our
    runtimes' :class:`~projects.engine.hooks.AtomicCheckpointHook` does. It is
    registered under its name only; mmengine's default for local paths is
    unchanged.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        with atomic_output(str(filepath), '.part') as tmp, open(tmp, 'wb') as f:
            f.write(obj)
            f.flush()
            os.fsync(f.fileno())

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        """Write the text ``obj`` to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)


def atomic_save_checkpoint(checkpoint: dict, filename: str) -> None:
    """``mmengine.runner.save_checkpoint`` to a local file, atomically."""
    from mmengine.runner import save_checkpoint
    save_checkpoint(checkpoint, str(filename), backend_args=dict(backend=NAME))
