"""VGG-16 without normalisation, as an FPN backbone."""
from typing import Sequence, Tuple

from mmengine.model import BaseModule
from torch import Tensor, nn

from mmdet.registry import MODELS

# torchvision's configuration 'D': channels per conv, 'M' = 2x2 max-pool
_CFG = (64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M',
        512, 512, 512, 'M')


@MODELS.register_module()
class VGG16(BaseModule):
    """VGG-16 (13 3x3 convs with ReLU, no BN/GN) returning pooled stage outputs.

    ``features`` has torchvision's layout (``features.0.weight`` ...), so
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')``
    loads ImageNet weights (the classifier is left out). Stage ``i`` ends at
    its max-pool: strides 2, 4, 8, 16, 32 and channels 64, 128, 256, 512, 512.
    From scratch it uses the normalised (MSRA / He) initialisation, the
    paper's setting for VGG without normalisation.

    Args:
        out_indices (Sequence[int]): Stages to return, e.g. (1, 2, 3, 4) for
            FPN levels at strides 4-32 (channels 128, 256, 512, 512).
        init_cfg (dict, optional): Default: Kaiming normal (fan_out) convs.
    """

    def __init__(self, out_indices: Sequence[int] = (1, 2, 3, 4),
                 init_cfg=dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                               nonlinearity='relu')) -> None:
        super().__init__(init_cfg=init_cfg)
        if not out_indices or not set(out_indices) <= set(range(5)):
            raise ValueError(f'VGG16: out_indices must be a subset of 0-4, got {out_indices}')
        layers, in_ch, self.stage_ends = [], 3, []
        for v in _CFG:
            if v == 'M':
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                self.stage_ends.append(len(layers) - 1)
            else:
                layers += [nn.Conv2d(in_ch, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                in_ch = v
        self.features = nn.Sequential(*layers)
        self.out_indices = tuple(out_indices)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """(B, 3, H, W) -> the chosen stages, (B, C_i, H / 2^(i+1), W / 2^(i+1))."""
        outs, stage = [], 0
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i == self.stage_ends[stage]:
                if stage in self.out_indices:
                    outs.append(x)
                stage += 1
                if stage > max(self.out_indices):
                    break
        return tuple(outs)
