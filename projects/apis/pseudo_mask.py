"""Pseudo masks for semantic segmentation (tools/pseudo_mask.py): multi-scale
and flip averaging of the teacher's class probabilities, and the ignore rule."""
from typing import Callable, Dict, Sequence

import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

IGNORE = 255


def average_probs(logits_fn: Callable[[np.ndarray], Tensor], img: np.ndarray,
                  scales: Sequence[float] = (1.0,), flip: bool = False) -> Tensor:
    """Class probabilities of ``img`` averaged over scales and flips.

    Args:
        logits_fn: maps an (h, w, 3) image to (C, h, w) logits at its size.
        img (np.ndarray): (H, W, 3) image.
        scales: resize factors of the image (keep ratio).
        flip (bool): also run each scale horizontally flipped (the logits
            are flipped back before averaging).

    Returns:
        Tensor: (C, H, W) mean of the per-view softmax probabilities, each
        resized (bilinear) to the image size.
    """
    h, w = img.shape[:2]
    total, views = None, 0
    for scale in scales:
        resized = mmcv.imrescale(img, scale) if scale != 1 else img
        for flipped in ((False, True) if flip else (False,)):
            view = np.ascontiguousarray(resized[:, ::-1]) if flipped else resized
            logits = logits_fn(view).float()
            if flipped:
                logits = logits.flip(-1)
            probs = F.interpolate(logits.softmax(0)[None], size=(h, w), mode='bilinear',
                                  align_corners=False)[0]
            total = probs if total is None else total + probs
            views += 1
    return total / views


def pseudo_mask(probs: Tensor, conf_thr: float) -> np.ndarray:
    """(H, W) uint8 labels from (C, H, W) probabilities: the arg-max class,
    or 255 (ignore) where the maximum probability is below ``conf_thr``."""
    conf, label = probs.max(0)
    label[conf < conf_thr] = IGNORE
    return label.to(torch.uint8).cpu().numpy()


def pixel_shares(masks: Sequence[np.ndarray], num_classes: int) -> Dict[str, object]:
    """Share of all pixels per class and ignored, from (H, W) label maps."""
    counts = np.zeros(IGNORE + 1, np.int64)
    for m in masks:
        counts += np.bincount(m.ravel(), minlength=IGNORE + 1)
    total = max(int(counts.sum()), 1)
    return dict(pixels=int(counts.sum()),
                class_share=[float(c) / total for c in counts[:num_classes]],
                ignored_share=float(counts[IGNORE]) / total)
