from .detection_auto_augment import DetectionAutoAugment
from .detection_rand_augment import DetectionRandAugment
from .keypoints_follow_image import KeypointsFollowImage
from .pack_keypoint_inputs import PackKeypointInputs
from .safe_load_image_from_file import SafeLoadImageFromFile, blank_unreadable_images
from .strength_augment import STRENGTHS, StrengthAugment, strength_transforms

__all__ = ['DetectionAutoAugment', 'DetectionRandAugment', 'KeypointsFollowImage',
           'PackKeypointInputs', 'STRENGTHS', 'SafeLoadImageFromFile', 'StrengthAugment',
           'blank_unreadable_images', 'strength_transforms']
