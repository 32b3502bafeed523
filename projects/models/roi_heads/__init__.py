from .keypoint_roi_head import KeypointRoIHead

__all__ = ['KeypointRoIHead']
