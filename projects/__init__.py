"""Rethinking pre-training toolkit: our mmengine/mmdet/mmseg components.

``import projects`` alone is light (no torch, no mmdet), so that JSON-only
tools start at once. Registration happens in :mod:`projects.register`, which
our configs import through ``custom_imports`` (or call :func:`register_all`).
A config that still says ``custom_imports = dict(imports=['projects'])``
registers too when it is what first imports ``projects`` (``Config.fromfile``
has loaded ``mmengine.config`` by then); after an earlier light import, call
:func:`register_all` or name ``projects.register``.
"""
import sys


def register_all() -> None:
    """Apply the compatibility shims and register every component; idempotent."""
    from . import register  # noqa: F401  (the work happens on its first import)


if 'mmengine.config' in sys.modules:  # imported by a config's custom_imports
    register_all()
