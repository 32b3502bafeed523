"""Safe checkpoint reading: ``weights_only=True`` on every scheme, one-line errors."""
from .checkpoint_errors import (check_checkpoint_file, describe_load_failure, describe_mismatch,
                                newest_loadable, safe_load_from_local)
from .checkpoint_loading import load_checkpoint_safely
from .torch_load import mmengine_safe_globals, torch_load_safely

__all__ = ['check_checkpoint_file', 'describe_load_failure', 'describe_mismatch',
           'load_checkpoint_safely', 'mmengine_safe_globals', 'newest_loadable',
           'safe_load_from_local', 'torch_load_safely']
