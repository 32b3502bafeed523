from .coco_keypoint_metric import CocoKeypointMetric
from .unreadable_image_evaluator import SkippedSample, UnreadableImageEvaluator

__all__ = ['CocoKeypointMetric', 'SkippedSample', 'UnreadableImageEvaluator']
