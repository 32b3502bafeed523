"""Box-aware RandAugment, on the reference's magnitude scale."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from .box_augment_ops import FILL_MODES, MAX_LEVEL, RANDAUGMENT_HPARAMS
from .detection_policies import RANDAUGMENT_OPS, apply_op


@TRANSFORMS.register_module()
class DetectionRandAugment(BaseTransform):
    """RandAugment for detection: ``num_ops`` random ops at one magnitude.

    As the TF Model Garden's ``RandAugment.build_for_detection``: each of
    ``num_ops`` layers picks one of the 16 ops of ``RANDAUGMENT_OPS`` or the
    identity (uniformly, 1 in 17) and applies it; geometric ops move boxes,
    masks and the segmentation map with the image. Magnitude 10 is full
    strength: rotations up to 30 degrees, shears up to 0.3, translations up to
    100 px, cutout squares of 80 px.

    Args:
        num_ops (int): Ops per image (the reference's ``num_layers``). Default 2.
        magnitude (float): Level of every op on the reference's 0-10 scale
            (``_MAX_LEVEL = 10``). Default 10.
        fill_mode (str): What the 5 geometric ops (rotate, shear x/y,
            translate x/y) put where the image moved away: ``'reflect'``, the
            image mirrored about its edge, as ``augment.py``'s ``transform()``
            does (default), or ``'constant'``, grey 128.
    """

    def __init__(self, num_ops: int = 2, magnitude: float = 10.0,
                 fill_mode: str = 'reflect') -> None:
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f'num_ops must be a non-negative integer, got {num_ops!r}')
        if not 0 <= magnitude <= MAX_LEVEL:
            raise ValueError(f'magnitude must be in [0, {MAX_LEVEL:g}] (the reference\'s '
                             f'_MAX_LEVEL scale), got {magnitude}')
        if fill_mode not in FILL_MODES:
            raise ValueError(f'fill_mode must be one of {sorted(FILL_MODES)}, got {fill_mode!r}')
        self.num_ops, self.magnitude = num_ops, float(magnitude)
        self.fill_mode = fill_mode
        self.hparams = dict(RANDAUGMENT_HPARAMS, fill_mode=fill_mode)

    def transform(self, results: dict) -> Optional[dict]:
        for _ in range(self.num_ops):
            choice = np.random.randint(len(RANDAUGMENT_OPS) + 1)
            if choice < len(RANDAUGMENT_OPS):
                results = apply_op(results, RANDAUGMENT_OPS[choice], 1.0, self.magnitude,
                                   self.hparams)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f"magnitude={self.magnitude:g}, fill_mode='{self.fill_mode}')")
