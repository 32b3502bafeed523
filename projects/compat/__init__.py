"""Compatibility shims applied when :mod:`projects` is imported."""
from .atomic_checkpoint import atomic_save_checkpoint, make_checkpoints_atomic
from .checkpoint_errors import install_checkpoint_errors
from .config_switches_on_load import apply_switches_on_load
from .external_config_paths import speed_up_external_config_paths
from .torch_load import MMENGINE_SAFE_GLOBALS, allow_mmengine_checkpoints
from .unreadable_images import install_unreadable_image_skip

__all__ = ['MMENGINE_SAFE_GLOBALS', 'allow_mmengine_checkpoints', 'apply_switches_on_load',
           'atomic_save_checkpoint',
           'install_checkpoint_errors', 'install_unreadable_image_skip', 'make_checkpoints_atomic',
           'speed_up_external_config_paths']
