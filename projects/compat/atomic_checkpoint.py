"""Write local mmengine checkpoints atomically (temp file, then rename).

mmengine's ``save_checkpoint`` writes ``iter_N.pth`` in place, so a run
killed while saving leaves a truncated file that looks complete. The shim
saves local paths to ``iter_N.pth.part`` and renames it; other backends
(``s3://``, ``pavi://`` ...) keep mmengine's behaviour. A full disk (ENOSPC)
removes the partial ``.part`` file and stops the run with one line.
"""
import mmengine.runner.runner as runner_module
from mmengine.runner import checkpoint as checkpoint_module

_mmengine_save = checkpoint_module.save_checkpoint


def atomic_save_checkpoint(checkpoint: dict, filename: str, *args, **kwargs) -> None:
    """``mmengine.runner.checkpoint.save_checkpoint``, atomic on local disks."""
    if '://' in str(filename):
        return _mmengine_save(checkpoint, filename, *args, **kwargs)
    from projects.utils.io import atomic_output
    with atomic_output(filename, '.part') as tmp:
        _mmengine_save(checkpoint, tmp, *args, **kwargs)


def make_checkpoints_atomic() -> None:
    """Route the Runner's checkpoint saving through :func:`atomic_save_checkpoint`."""
    runner_module.save_checkpoint = atomic_save_checkpoint


__all__ = ['atomic_save_checkpoint', 'make_checkpoints_atomic']
