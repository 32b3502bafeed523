"""An image classifier on a backbone's last stage (joint training)."""
from typing import Dict

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmdet.registry import MODELS


@MODELS.register_module()
class ImageClsHead(BaseModule):
    """Global average pooling and one linear layer: (B, C, H, W) -> (B, num_classes).

    Args:
        in_channels (int): Channels of the feature map (2048 for ResNet-50's C5).
        num_classes (int): Image classes (1000 for ImageNet-1k).
    """

    def __init__(self, in_channels: int, num_classes: int,
                 init_cfg=dict(type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels < 1 or num_classes < 2:
            raise ValueError(f'ImageClsHead: in_channels must be >= 1 and num_classes >= 2, '
                             f'got {in_channels} and {num_classes}')
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feat: Tensor) -> Tensor:
        """Logits (B, num_classes) of a feature map (B, C, H, W)."""
        return self.fc(feat.mean(dim=(2, 3)))

    def loss(self, feat: Tensor, labels: Tensor) -> Dict[str, Tensor]:
        """Cross-entropy (``loss``) and top-1 accuracy (``acc``) of labels (B,)."""
        logits = self(feat)
        with torch.no_grad():
            acc = (logits.argmax(dim=1) == labels).float().mean()
        return dict(loss=F.cross_entropy(logits, labels), acc=acc)
