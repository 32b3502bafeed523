"""Apply the one-value config switches whenever a config file is loaded.

``tools/*`` load configs through :func:`projects.utils.load_config`, which
applies the switches after ``--cfg-options``; this covers everything else
that calls ``Config.fromfile`` (tests, notebooks, mmdet's own tools), so a
config never trains with a ``strength`` other than the one it states.
"""
from mmengine.config import Config

from projects.utils.config_switches import apply_switches

_fromfile = Config.fromfile


def _fromfile_with_switches(*args, **kwargs):
    return apply_switches(_fromfile(*args, **kwargs))


def apply_switches_on_load() -> None:
    """Route ``Config.fromfile`` through :func:`apply_switches` (idempotent)."""
    if getattr(Config.fromfile, '__func__', Config.fromfile) is not _fromfile_with_switches:
        Config.fromfile = staticmethod(_fromfile_with_switches)


__all__ = ['apply_switches_on_load']
