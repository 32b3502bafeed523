from .rethink_runner import RethinkRunner
from .long_schedule_train_loop import (LongScheduleTrainLoop, ResolvedSchedule,
                                       resolve_schedule)

__all__ = ['RethinkRunner', 'LongScheduleTrainLoop', 'ResolvedSchedule', 'resolve_schedule']
