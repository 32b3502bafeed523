"""Keypoints through the geometric transforms of an mmdet pipeline."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class KeypointsFollowImage(BaseTransform):
    """Set ``gt_keypoints`` (N, K, 3) from the instances, moved as the image was.

    mmdet's geometric transforms (Resize, RandomFlip, RandomCrop ...) record
    ``homography_matrix`` (original -> current pixels); this applies it to
    every keypoint, swaps left/right keypoints after a horizontal flip, and
    marks keypoints outside the image as not labelled (v = 0). Put it after
    the geometric transforms; the instances must not have been filtered.

    Args:
        flip_pairs (Sequence[tuple[int, int]]): Indices of left/right
            keypoint pairs (e.g. COCO's (1, 2) for left/right eye).
    """

    def __init__(self, flip_pairs: Sequence[Tuple[int, int]] = ()) -> None:
        self.flip_pairs = [tuple(p) for p in flip_pairs]

    def transform(self, results: dict) -> Optional[dict]:
        kps = np.stack([np.asarray(i['keypoints'], np.float32)
                        for i in results['instances']]) if results['instances'] else \
            np.zeros((0, 0, 3), np.float32)
        matrix = results.get('homography_matrix')
        if matrix is not None and kps.size:
            xy1 = np.concatenate([kps[..., :2], np.ones_like(kps[..., :1])], -1)
            moved = xy1 @ np.asarray(matrix, np.float32).T
            kps[..., :2] = moved[..., :2] / moved[..., 2:3]
        if results.get('flip') and results.get('flip_direction') == 'horizontal':
            for a, b in self.flip_pairs:
                kps[:, [a, b]] = kps[:, [b, a]]
        h, w = results['img'].shape[:2]
        outside = (kps[..., 0] < 0) | (kps[..., 1] < 0) | (kps[..., 0] >= w) | (kps[..., 1] >= h)
        kps[outside] = 0
        results['gt_keypoints'] = kps
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(flip_pairs={self.flip_pairs})'
