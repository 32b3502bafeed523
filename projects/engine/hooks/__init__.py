from .learning_curve_hook import LearningCurveHook
from .precise_bn_hook import PreciseBNHook
from .sync_bn_fallback_hook import SyncBNFallbackHook, count_sync_bn

__all__ = ['LearningCurveHook', 'PreciseBNHook', 'SyncBNFallbackHook', 'count_sync_bn']
