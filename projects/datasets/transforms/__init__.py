from .detection_auto_augment import DetectionAutoAugment
from .detection_rand_augment import DetectionRandAugment
from .strength_augment import STRENGTHS, StrengthAugment, strength_transforms

__all__ = ['DetectionAutoAugment', 'DetectionRandAugment', 'STRENGTHS', 'StrengthAugment',
           'strength_transforms']
