"""Rethinking pre-training toolkit: our mmengine/mmdet/mmseg components.

``import projects`` is light (no torch, no mmdet) and registers nothing,
whatever was imported before it, so that JSON-only tools start at once.
Registration happens in :mod:`projects.register`, which our configs import
through ``custom_imports = dict(imports=['projects.register'])``; code can
call :func:`register_all` instead.
"""


def register_all() -> None:
    """Register every component (idempotent): ``import projects.register``."""
    from . import register  # noqa: F401  (the work happens on its first import)
