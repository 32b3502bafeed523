from .strength_augment import STRENGTHS, StrengthAugment, strength_transforms

__all__ = ['STRENGTHS', 'StrengthAugment', 'strength_transforms']
