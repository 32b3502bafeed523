"""Rethinking pre-training toolkit: our mmengine/mmdet components.

Importing this package (configs do so through ``custom_imports``) applies the
compatibility shims in :mod:`projects.compat` and registers our hooks, loops
and models in mmdet's registries.
"""
from .compat import allow_mmengine_checkpoints

allow_mmengine_checkpoints()

from . import datasets, engine, models  # noqa: E402,F401
