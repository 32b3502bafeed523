"""Mask R-CNN's keypoint branch: one heatmap per keypoint, spatial softmax loss."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmdet.registry import MODELS


def encode_keypoints(keypoints: Tensor, rois: Tensor, size: int) -> Tuple[Tensor, Tensor]:
    """Heatmap cell of each keypoint in its RoI (Mask R-CNN's target).

    Args:
        keypoints: (P, K, 3) x, y, v in image pixels.
        rois: (P, 4) x1, y1, x2, y2 in the same pixels.
        size: Heatmap side S.

    Returns:
        (targets, valid): (P, K) flat cell indices ``y * S + x`` and (P, K)
        bools, True where the keypoint is labelled (v > 0) and inside its RoI.
    """
    x1, y1, x2, y2 = (rois[:, i:i + 1] for i in range(4))
    sx, sy = size / (x2 - x1).clamp(min=1e-6), size / (y2 - y1).clamp(min=1e-6)
    x, y = keypoints[..., 0], keypoints[..., 1]
    xi = ((x - x1) * sx).floor().long()
    yi = ((y - y1) * sy).floor().long()
    xi = torch.where(x == x2, torch.full_like(xi, size - 1), xi)  # the far edge is inside
    yi = torch.where(y == y2, torch.full_like(yi, size - 1), yi)
    valid = (keypoints[..., 2] > 0) & (xi >= 0) & (yi >= 0) & (xi < size) & (yi < size)
    return torch.where(valid, yi * size + xi, torch.zeros_like(xi)), valid


MAX_DECODE_ELEMENTS = 1 << 24  # upsampled heatmap values held at once (64 MB of float32)


def decode_keypoints(heatmaps: Tensor, rois: Tensor) -> Tensor:
    """(P, K, 3) x, y, score of each keypoint, from (P, K, S, S) logits, as
    detectron2's ``heatmaps_to_keypoints`` decodes them.

    Each RoI's heatmaps are resized bicubically (``align_corners=False``) to
    the RoI's size in pixels, ``ceil(w) x ceil(h)``; the argmax pixel's centre,
    scaled back by ``w / ceil(w)``, is the keypoint, in continuous pixel
    coordinates (pixel i spans [i, i + 1]); the score is the softmax of the
    S x S logits evaluated at the peak. Batched: RoIs go through one
    ``grid_sample`` per chunk of at most ``MAX_DECODE_ELEMENTS`` values (the
    same bicubic taps and edge clamping as ``F.interpolate``), not one resize
    per RoI.
    """
    num, k = heatmaps.shape[:2]
    out = heatmaps.new_zeros((num, k, 3))
    if num == 0:
        return out
    widths = (rois[:, 2] - rois[:, 0]).clamp(min=1)
    heights = (rois[:, 3] - rois[:, 1]).clamp(min=1)
    wc, hc = widths.ceil(), heights.ceil()
    order = (wc * hc).argsort()  # RoIs of similar size share a chunk: little padding
    start = 0
    while start < num:
        end = start + 1
        while end < num and (end + 1 - start) * k * int(wc[order[start:end + 1]].max()) * \
                int(hc[order[start:end + 1]].max()) <= MAX_DECODE_ELEMENTS and \
                wc[order[end]] * hc[order[end]] <= 2 * wc[order[start]] * hc[order[start]]:
            end += 1
        idx = order[start:end]
        out[idx] = _decode_chunk(heatmaps[idx], rois[idx], wc[idx], hc[idx], widths[idx],
                                 heights[idx])
        start = end
    return out


def _decode_chunk(maps: Tensor, rois: Tensor, wc: Tensor, hc: Tensor, widths: Tensor,
                  heights: Tensor) -> Tensor:
    """:func:`decode_keypoints` of n RoIs whose upsampled maps fit at once."""
    n, k = maps.shape[:2]
    big_w, big_h = int(wc.max()), int(hc.max())
    cols = torch.arange(big_w, device=maps.device, dtype=maps.dtype) + 0.5
    rows = torch.arange(big_h, device=maps.device, dtype=maps.dtype) + 0.5
    gx = (cols[None] * 2 / wc[:, None] - 1)[:, None, :].expand(n, big_h, big_w)
    gy = (rows[None] * 2 / hc[:, None] - 1)[:, :, None].expand(n, big_h, big_w)
    up = F.grid_sample(maps, torch.stack([gx, gy], -1), mode='bicubic',
                       padding_mode='border', align_corners=False)  # (n, K, H, W)
    inside = (cols[None, None, :] < wc[:, None, None]) & (rows[None, :, None] < hc[:, None, None])
    up = up.masked_fill(~inside[:, None], float('-inf'))
    peak, pos = up.flatten(2).max(-1)  # (n, K)
    xi, yi = (pos % big_w).to(maps.dtype), (pos // big_w).to(maps.dtype)
    x = (xi + 0.5) * (widths / wc)[:, None] + rois[:, 0:1]
    y = (yi + 0.5) * (heights / hc)[:, None] + rois[:, 1:2]
    score = 1 / (maps.flatten(2) - peak[..., None]).exp().sum(-1)  # softmax at the peak
    return torch.stack([x, y, score], -1)


@MODELS.register_module()
class KeypointHeatmapHead(BaseModule):
    """Keypoint head of Mask R-CNN: ``num_convs`` 3x3 convs, a stride-2 deconv
    and a 2x bilinear upsampling: RoI features (P, C, R, R) -> heatmaps
    (P, K, 4R, 4R) (56 x 56 for R = 14), trained with a cross-entropy over the
    4R x 4R cells per labelled keypoint (a spatial softmax).

    Args:
        num_keypoints (int): K.
        in_channels (int): RoI feature channels. Default 256.
        conv_out_channels (int): Default 512.
        num_convs (int): Default 8.
        norm_cfg (dict, optional): e.g. GN for He et al.'s "GN everywhere".
        loss_weight (float): Default 1.0.
    """

    def __init__(self, num_keypoints: int, in_channels: int = 256,
                 conv_out_channels: int = 512, num_convs: int = 8,
                 norm_cfg: Optional[dict] = None, loss_weight: float = 1.0,
                 init_cfg=dict(type='Kaiming', layer=['Conv2d', 'ConvTranspose2d'],
                               mode='fan_out', nonlinearity='relu')) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_keypoints < 1:
            raise ValueError(f'KeypointHeatmapHead: num_keypoints must be >= 1, '
                             f'got {num_keypoints}')
        self.num_keypoints, self.loss_weight = num_keypoints, loss_weight
        self.convs = nn.Sequential(*[
            ConvModule(in_channels if i == 0 else conv_out_channels, conv_out_channels, 3,
                       padding=1, norm_cfg=norm_cfg) for i in range(num_convs)])
        self.deconv = nn.ConvTranspose2d(conv_out_channels, num_keypoints, 4, stride=2,
                                         padding=1)

    def forward(self, feats: Tensor) -> Tensor:
        """(P, C, R, R) RoI features -> (P, K, 4R, 4R) heatmap logits."""
        x = self.deconv(self.convs(feats))
        return F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)

    @staticmethod
    def decode(heatmaps: Tensor, rois: Tensor) -> Tensor:
        """(P, K, 3) x, y, score: :func:`decode_keypoints`."""
        return decode_keypoints(heatmaps, rois)

    def loss(self, heatmaps: Tensor, keypoints: Tensor, rois: Tensor) -> Tensor:
        """Mean cross-entropy over the labelled keypoints (0 if there are none).

        Args:
            heatmaps: (P, K, S, S) logits; keypoints: (P, K, 3); rois: (P, 4).
        """
        size = heatmaps.shape[-1]
        targets, valid = encode_keypoints(keypoints, rois, size)
        if not valid.any():
            return heatmaps.sum() * 0
        logits = heatmaps.flatten(2)[valid]  # (V, S * S)
        return F.cross_entropy(logits, targets[valid]) * self.loss_weight
