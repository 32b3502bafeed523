"""Shared helpers. Importing this package is light: ``load_config`` and
``setup_cpu_distributed`` (torch, mmengine) load on first use."""
from .errors import UserInputError
from .io import atomic_write_json, atomic_write_text

__all__ = ['UserInputError', 'atomic_write_json', 'atomic_write_text', 'load_config',
           'setup_cpu_distributed']


def __getattr__(name):
    if name in ('load_config', 'setup_cpu_distributed'):
        from . import launch
        return getattr(launch, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
