from .long_schedule_train_loop import (LongScheduleTrainLoop, ResolvedSchedule,
                                       resolve_schedule)

__all__ = ['LongScheduleTrainLoop', 'ResolvedSchedule', 'resolve_schedule']
