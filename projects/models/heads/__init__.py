from .image_cls_head import ImageClsHead
from .keypoint_heatmap_head import (KeypointHeatmapHead, decode_keypoints,
                                    encode_keypoints)

__all__ = ['ImageClsHead', 'KeypointHeatmapHead', 'decode_keypoints', 'encode_keypoints']
