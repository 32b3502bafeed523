"""Zoph et al.'s augmentation strengths S1-S4 as one pipeline step."""
from typing import List, Optional, Tuple

from mmcv.transforms import BaseTransform, Compose
from mmdet.datasets.transforms.augment_wrappers import policies_v0 as imagenet_policies_v0
from mmdet.registry import TRANSFORMS
from mmengine.registry import DefaultScope

from projects.utils.config_switches import STRENGTHS

from .box_augment_ops import MAX_LEVEL
from .detection_policies import POLICIES

# S2/S3 policies: the detection policies of Zoph, Cubuk et al. (2019), and
# mmdet's ImageNet-classification AutoAugment policy under its own name
AUTOAUGMENT_POLICIES = tuple(POLICIES) + ('imagenet-v0',)


def _policy_step(strength: str, policy: str, magnitude: float, num_ops: int) -> dict:
    if strength == 'S4':
        return dict(type='DetectionRandAugment', num_ops=num_ops, magnitude=magnitude)
    if policy == 'imagenet-v0':
        return dict(type='AutoAugment', policies=imagenet_policies_v0())
    return dict(type='DetectionAutoAugment', policy=policy)


def strength_transforms(strength: str, scale: Tuple[int, int], magnitude: float = 10.0,
                        num_ops: int = 2, policy: str = 'v0', augment_first: bool = True,
                        crop_size: Optional[Tuple[int, int]] = None) -> List[dict]:
    """The mmdet transform configs of one augmentation strength.

    * S1: flip, scale jitter [0.8, 1.2], random crop to ``scale`` (or
      ``crop_size``: objects keep the size they have at ``scale`` while each
      training image costs what one of ``crop_size`` does).
    * S2: detection AutoAugment (``policy``, default v0) + S1.
    * S3: detection AutoAugment + large scale jitter [0.5, 2.0], flip, crop.
    * S4: box-aware RandAugment (``num_ops`` ops at ``magnitude`` of 10) +
      large scale jitter [0.5, 2.0], flip, crop.

    With ``augment_first`` (the reference's order) the policy runs on the
    image at its original size, before flip and resize-crop; otherwise after
    the crop. Boxes that leave the crop or shrink below 0.01 px are dropped,
    last.
    """
    if strength not in STRENGTHS:
        raise ValueError(f'strength must be one of {STRENGTHS}, got {strength!r}')
    if not 0 <= magnitude <= MAX_LEVEL:
        raise ValueError(f'magnitude must be in [0, {MAX_LEVEL:g}] (RandAugment level on '
                         f'the reference\'s _MAX_LEVEL scale), got {magnitude}')
    if policy not in AUTOAUGMENT_POLICIES:
        raise ValueError(f'policy must be one of {AUTOAUGMENT_POLICIES}, got {policy!r}')
    jitter = (0.8, 1.2) if strength in ('S1', 'S2') else (0.5, 2.0)
    geometric = [
        dict(type='RandomResize', scale=scale, ratio_range=jitter, keep_ratio=True),
        dict(type='RandomCrop', crop_type='absolute', crop_size=tuple(crop_size or scale),
             recompute_bbox=True, allow_negative_crop=True),
        dict(type='RandomFlip', prob=0.5),
    ]
    # last: shears, rotations and translations can clip a box to zero width,
    # whose regression target log(w / anchor_w) is -inf (a NaN loss)
    drop_degenerate = dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2),
                           keep_empty=False)
    if strength == 'S1':
        return geometric + [drop_degenerate]
    step = _policy_step(strength, policy, magnitude, num_ops)
    steps = [step] + geometric if augment_first else geometric + [step]
    return steps + [drop_degenerate]


@TRANSFORMS.register_module()
class StrengthAugment(BaseTransform):
    """One pipeline step for augmentation strength S1-S4 (Zoph et al. 2020).

    A config states its strength once, as the top-level ``strength = 'S3'``;
    :func:`projects.utils.config_switches.apply_switches` copies it into every
    ``StrengthAugment`` of the training data. See :func:`strength_transforms`
    for what each strength holds.

    Args:
        strength (str): 'S1', 'S2', 'S3' or 'S4'.
        scale (tuple[int, int]): Output (w, h) before jitter; crop size.
        crop_size (tuple[int, int], optional): (w, h) of the random crop when
            it differs from ``scale`` (smaller: cheaper steps, same object
            sizes as at ``scale``). Default: ``scale``.
        magnitude (float): S4's RandAugment level, 0-10 (the reference's
            ``_MAX_LEVEL = 10``: 10 is full strength). Default 10.
        num_ops (int): S4's RandAugment ops per image. Default 2.
        policy (str): S2/S3's AutoAugment policy: detection 'v0' (default,
            the paper's), 'v1'-'v3', or 'imagenet-v0' (mmdet's classification
            policy, not the paper's).
        augment_first (bool): Run the policy on the original-size image,
            before flip and resize-crop (the reference's order). Default True.
    """

    def __init__(self, strength: str = 'S1', scale: Tuple[int, int] = (1333, 800),
                 magnitude: float = 10.0, num_ops: int = 2, policy: str = 'v0',
                 augment_first: bool = True,
                 crop_size: Optional[Tuple[int, int]] = None) -> None:
        if crop_size is not None and (len(crop_size) != 2 or min(crop_size) < 1):
            raise ValueError(f'crop_size must be (w, h) in pixels, got {crop_size!r}')
        self.strength, self.scale = strength, tuple(scale)
        self.crop_size = tuple(crop_size or scale)
        # mmdet's transforms (and the ones nested in AutoAugment) are looked
        # up in mmdet's scope, whatever scope builds this wrapper
        steps = strength_transforms(strength, self.scale, magnitude, num_ops, policy,
                                    augment_first, self.crop_size)
        with DefaultScope.overwrite_default_scope('mmdet'):
            self.transforms = Compose(steps)
            # semantic segmentation has no boxes to filter (gt_seg_map moves
            # with the image in every step; 255 fills)
            self.seg_transforms = Compose([t for t in steps if t['type'] != 'FilterAnnotations'])

    def transform(self, results: dict) -> Optional[dict]:
        if 'gt_bboxes' not in results:
            return self.seg_transforms(results)
        return self.transforms(results)

    def __repr__(self) -> str:
        crop = f', crop_size={self.crop_size}' if self.crop_size != self.scale else ''
        return f'{self.__class__.__name__}(strength={self.strength}, scale={self.scale}{crop})'
