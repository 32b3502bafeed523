from .cli import run_main
from .io import atomic_write_json, atomic_write_text
from .launch import UserInputError, load_config, setup_cpu_distributed

__all__ = ['run_main', 'atomic_write_json', 'atomic_write_text', 'UserInputError',
           'load_config', 'setup_cpu_distributed']
