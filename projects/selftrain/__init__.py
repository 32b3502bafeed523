"""The self-training pipeline in code: stages, their records, their commands."""
from .stage_runner import (StageRunner, config_task, last_checkpoint, options_args,
                           student_options)

__all__ = ['StageRunner', 'config_task', 'last_checkpoint', 'options_args', 'student_options']
