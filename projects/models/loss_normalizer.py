"""Zoph et al.'s loss normalization for human + pseudo labels (shared by the
detection and segmentation self-training wrappers)."""
import logging
from typing import Dict, Optional, Tuple

import torch
import torch.distributed as dist
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import Tensor

from mmengine.registry import MODELS


def total_loss(losses: Dict[str, object]) -> Tensor:
    """Sum of every entry whose key contains ``'loss'`` (mmengine's rule)."""
    parts = []
    for key, value in losses.items():
        if 'loss' not in key:
            continue
        parts.extend(value if isinstance(value, (list, tuple)) else [value])
    return sum(p.sum() for p in parts)


def scale_losses(losses: Dict[str, object], weight, prefix: str) -> Dict[str, object]:
    """Multiply every loss entry by ``weight`` and prefix every key."""
    out = {}
    for key, value in losses.items():
        if 'loss' in key:
            value = [v * weight for v in value] if isinstance(value, (list, tuple)) \
                else value * weight
        out[prefix + key] = value
    return out


@MODELS.register_module()
class LossNormalizer(BaseModule):
    r"""Combine a human-label loss :math:`L_h` and a pseudo-label loss
    :math:`L_p` as in Zoph et al. (NeurIPS 2020):

    .. math::
        L = \frac{L_h + \alpha \cdot \frac{\bar L_h}{\bar L_p} \cdot L_p}{1 + \alpha}

    :math:`\bar L_h`, :math:`\bar L_p` are moving averages of the detached
    losses, updated *before* the weights are computed at each training step:
    ``avg <- (1 - momentum) * avg + momentum * value`` (the first step sets
    ``avg = value``). In a distributed run the values are averaged over
    processes first, so every process uses the same weights. The averages are
    buffers, so checkpoints save them and resume restores them.

    Args:
        alpha (float): Weight of the pseudo loss (smaller for stronger
            augmentation, larger for longer training in the paper).
        momentum (float): Weight of the newest value in the moving averages.
        eps (float): Guards the ratio when :math:`\bar L_p` is ~0.
        max_ratio (float, optional): Cap on :math:`\bar L_h / \bar L_p`. When
            the pseudo half holds only negatives, :math:`\bar L_p` is tiny and
            the ratio runs away (about 150 was logged on coco128). Default
            None: no cap, the paper's formula as written (it states none).
            A warning is logged whenever the cap binds (at most every
            ``warn_interval`` steps).
        empty_warn_steps (int): Warn when this many consecutive steps had no
            box in the pseudo half (the wrapper passes the count). Default 50.
        warn_interval (int): Steps between repeated warnings. Default 100.
    """

    def __init__(self, alpha: float = 1.0, momentum: float = 0.01,
                 eps: float = 1e-6, max_ratio: Optional[float] = None,
                 empty_warn_steps: int = 50, warn_interval: int = 100) -> None:
        super().__init__()
        if alpha < 0:
            raise ValueError(f'alpha must be >= 0, got {alpha}')
        if not 0 < momentum <= 1:
            raise ValueError(f'momentum must be in (0, 1], got {momentum}')
        if max_ratio is not None and max_ratio <= 0:
            raise ValueError(f'max_ratio must be > 0 or None, got {max_ratio}')
        self.alpha, self.momentum, self.eps = alpha, momentum, eps
        self.max_ratio, self.empty_warn_steps = max_ratio, empty_warn_steps
        self.warn_interval = warn_interval
        self._empty_streak, self._last_cap_warning = 0, None
        self.register_buffer('avg_human', torch.zeros(()))
        self.register_buffer('avg_pseudo', torch.zeros(()))
        self.register_buffer('num_updates', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def update(self, loss_h: Tensor, loss_p: Tensor) -> None:
        """Update both moving averages with detached (global) values."""
        values = torch.stack([loss_h.detach(), loss_p.detach()]).float()
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            dist.all_reduce(values)
            values /= dist.get_world_size()
        values = values.to(self.avg_human.device)
        if self.num_updates == 0:
            self.avg_human.copy_(values[0])
            self.avg_pseudo.copy_(values[1])
        else:
            m = self.momentum
            self.avg_human.mul_(1 - m).add_(values[0] * m)
            self.avg_pseudo.mul_(1 - m).add_(values[1] * m)
        self.num_updates += 1

    def ratio(self) -> Tensor:
        """``avg_L_h / avg_L_p``, capped at ``max_ratio`` (a warning when it binds)."""
        ratio = self.avg_human / (self.avg_pseudo + self.eps)
        if self.max_ratio is None or ratio <= self.max_ratio:
            return ratio
        step = int(self.num_updates)
        if self._last_cap_warning is None or step - self._last_cap_warning >= self.warn_interval:
            self._last_cap_warning = step
            print_log(f'LossNormalizer: avg(L_h)/avg(L_p) = {float(ratio):.1f} capped at '
                      f'max_ratio={self.max_ratio:g} (step {step}; the pseudo loss is tiny: '
                      'negatives only?)', logger='current', level=logging.WARNING)
        return ratio.clamp(max=self.max_ratio)

    def weights(self) -> Tuple[float, Tensor]:
        """``(w_h, w_p)`` with ``L = w_h * L_h + w_p * L_p``."""
        w_h = 1.0 / (1.0 + self.alpha)
        w_p = self.alpha * self.ratio() / (1.0 + self.alpha)
        return w_h, w_p

    def count_pseudo_boxes(self, num_boxes: int) -> None:
        """Warn once per streak of ``empty_warn_steps`` steps without a pseudo box."""
        self._empty_streak = 0 if num_boxes else self._empty_streak + 1
        if self._empty_streak == self.empty_warn_steps:
            print_log(f'LossNormalizer: {self.empty_warn_steps} steps in a row without a box '
                      'in the pseudo half: the pseudo labels are all negatives (score '
                      'threshold too high for this teacher?)', logger='current',
                      level=logging.WARNING)

    def forward(self, human: Dict[str, object], pseudo: Dict[str, object],
                num_pseudo_boxes: Optional[int] = None) -> Dict[str, object]:
        """Normalize two loss dicts into one, keys prefixed ``sup_``/``unsup_``.

        Also returns (not summed: no ``'loss'`` in the key) ``L_h``, ``L_p``,
        ``avg_L_h``, ``avg_L_p`` and ``pseudo_weight`` for the log.
        ``num_pseudo_boxes``: boxes in this step's pseudo half, if known.
        """
        loss_h, loss_p = total_loss(human), total_loss(pseudo)
        if self.training:
            self.update(loss_h, loss_p)
            if num_pseudo_boxes is not None:
                self.count_pseudo_boxes(num_pseudo_boxes)
        w_h, w_p = self.weights()
        out = scale_losses(human, w_h, 'sup_')
        out.update(scale_losses(pseudo, w_p, 'unsup_'))
        out.update(L_h=loss_h.detach(), L_p=loss_p.detach(), avg_L_h=self.avg_human.clone(),
                   avg_L_p=self.avg_pseudo.clone(), pseudo_weight=w_p.detach().clone())
        return out
