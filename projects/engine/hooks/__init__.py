from .atomic_checkpoint_hook import AtomicCheckpointHook
from .learning_curve_hook import LearningCurveHook
from .non_finite_loss_hook import NonFiniteLossHook
from .precise_bn_hook import PreciseBNHook
from .sync_bn_fallback_hook import SyncBNFallbackHook, count_sync_bn
from .unreadable_image_hook import UnreadableImageHook

__all__ = ['AtomicCheckpointHook', 'LearningCurveHook', 'NonFiniteLossHook', 'PreciseBNHook',
           'SyncBNFallbackHook', 'UnreadableImageHook', 'count_sync_bn']
