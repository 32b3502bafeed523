from . import imagenet_mobilenet_v2  # noqa: F401  (registers offline-imagenet://)
from .backbones import *  # noqa: F401,F403
from .detectors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .roi_heads import *  # noqa: F401,F403
from .loss_normalizer import LossNormalizer, scale_losses, total_loss
from .safe_pretrained import SafePretrained
from .segmentors import *  # noqa: F401,F403
from .source_split_data_preprocessor import SourceSplitDataPreprocessor
from .test_time_augs import *  # noqa: F401,F403

__all__ = ['LossNormalizer', 'SafePretrained', 'SourceSplitDataPreprocessor', 'scale_losses',
           'total_loss']
