"""Compatibility shims applied when :mod:`projects` is imported."""
from .torch_load import MMENGINE_SAFE_GLOBALS, allow_mmengine_checkpoints

__all__ = ['MMENGINE_SAFE_GLOBALS', 'allow_mmengine_checkpoints']
