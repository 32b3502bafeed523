"""Zoph et al.'s augmentation strengths S1-S4, built from mmdet's transforms."""
from typing import List, Optional, Tuple

from mmcv.transforms import BaseTransform, Compose
from mmengine.registry import DefaultScope

from mmdet.datasets.transforms.augment_wrappers import RANDAUG_SPACE, policies_v0
from mmdet.registry import TRANSFORMS

STRENGTHS = ('S1', 'S2', 'S3', 'S4')


def strength_transforms(strength: str, scale: Tuple[int, int],
                        magnitude: float = 10.0) -> List[dict]:
    """The mmdet transform configs of one augmentation strength.

    * S1: horizontal flip, scale jitter [0.8, 1.2], random crop to ``scale``.
    * S2: S1 + AutoAugment with the detection policy (``policies_v0``).
    * S3: AutoAugment + large scale jitter [0.5, 2.0], flip and crop.
    * S4: RandAugment (2 ops, ``magnitude`` on RandAugment's 0-30 scale) +
      large scale jitter [0.5, 2.0], flip and crop.

    Geometric ops transform boxes and masks with the image; boxes that leave
    the crop or shrink below 0.01 px in width or height are dropped, last.
    """
    if strength not in STRENGTHS:
        raise ValueError(f'strength must be one of {STRENGTHS}, got {strength!r}')
    if not 0 <= magnitude <= 30:
        raise ValueError(f'magnitude must be in [0, 30], got {magnitude}')
    jitter = (0.8, 1.2) if strength in ('S1', 'S2') else (0.5, 2.0)
    geometric = [
        dict(type='RandomResize', scale=scale, ratio_range=jitter, keep_ratio=True),
        dict(type='RandomCrop', crop_type='absolute', crop_size=scale,
             recompute_bbox=True, allow_negative_crop=True),
        dict(type='RandomFlip', prob=0.5),
    ]
    # last, after RandAugment/AutoAugment too: their shears, rotations and
    # translations can clip a box to zero width, whose regression target
    # log(w / anchor_w) is -inf (a NaN loss)
    drop_degenerate = dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2),
                           keep_empty=False)
    if strength == 'S1':
        return geometric + [drop_degenerate]
    if strength in ('S2', 'S3'):
        return geometric + [dict(type='AutoAugment', policies=policies_v0()), drop_degenerate]
    level = int(round(magnitude / 3.0))  # mmdet levels are integers 0-10
    space = [[dict(op[0], level=level)] for op in RANDAUG_SPACE]
    return geometric + [dict(type='RandAugment', aug_space=space, aug_num=2), drop_degenerate]


@TRANSFORMS.register_module()
class StrengthAugment(BaseTransform):
    """One pipeline step for augmentation strength S1-S4 (Zoph et al.).

    Changing ``strength`` is all a child config needs to move between the
    paper's S1-S4; see :func:`strength_transforms` for what each holds.

    Args:
        strength (str): 'S1', 'S2', 'S3' or 'S4'.
        scale (tuple[int, int]): Output (w, h) before jitter; crop size.
        magnitude (float): RandAugment magnitude for S4 (0-30). Default 10.
    """

    def __init__(self, strength: str = 'S1', scale: Tuple[int, int] = (1333, 800),
                 magnitude: float = 10.0) -> None:
        self.strength, self.scale = strength, tuple(scale)
        # mmdet's transforms (and the ones nested in AutoAugment/RandAugment)
        # are looked up in mmdet's scope, whatever scope builds this wrapper
        steps = strength_transforms(strength, self.scale, magnitude)
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
        return f'{self.__class__.__name__}(strength={self.strength}, scale={self.scale})'
