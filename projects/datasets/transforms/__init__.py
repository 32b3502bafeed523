from .detection_auto_augment import DetectionAutoAugment
from .detection_rand_augment import DetectionRandAugment
from .keypoints_follow_image import KeypointsFollowImage
from .pack_keypoint_inputs import PackKeypointInputs
from .strength_augment import STRENGTHS, StrengthAugment, strength_transforms

__all__ = ['DetectionAutoAugment', 'DetectionRandAugment', 'KeypointsFollowImage',
           'PackKeypointInputs', 'STRENGTHS', 'StrengthAugment', 'strength_transforms']
