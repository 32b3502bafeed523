"""The detection AutoAugment of Zoph, Cubuk et al. (2019) as an mmdet transform."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from .box_augment_ops import AUTOAUGMENT_HPARAMS
from .detection_policies import POLICIES, apply_op


@TRANSFORMS.register_module()
class DetectionAutoAugment(BaseTransform):
    """One randomly chosen sub-policy of a detection AutoAugment policy.

    Box-aware: ``*_BBox`` ops move the image, boxes, masks and segmentation
    map together; ``*_Only_BBoxes`` ops change only the pixels inside boxes.
    Run it on the image at its original size (the reference applies it
    before flip and resize-crop): translations are in pixels
    (up to 250 px at level 10).

    Args:
        policy (str): 'v0' (the paper's, used by Zoph et al. 2020 for S2 and
            S3), 'v1', 'v2' or 'v3'. Default 'v0'.
    """

    def __init__(self, policy: str = 'v0') -> None:
        if policy not in POLICIES:
            raise ValueError(f'policy must be one of {sorted(POLICIES)}, got {policy!r}')
        self.policy = policy
        self.sub_policies = POLICIES[policy]

    def transform(self, results: dict) -> Optional[dict]:
        sub_policy = self.sub_policies[np.random.randint(len(self.sub_policies))]
        for name, prob, level in sub_policy:
            results = apply_op(results, name, prob, level, AUTOAUGMENT_HPARAMS)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(policy={self.policy!r})'
