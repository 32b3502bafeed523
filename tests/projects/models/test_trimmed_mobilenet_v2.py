"""TrimmedMobileNetV2: no stage after the last output, same outputs as mmdet's."""
import torch
from mmdet.models.backbones import MobileNetV2
from mmengine.runner.checkpoint import load_state_dict

from projects.models.backbones import TrimmedMobileNetV2


def test_unused_last_stage_is_not_built_and_outputs_match():
    torch.manual_seed(0)
    full = MobileNetV2(out_indices=(2, 4, 6))
    trimmed = TrimmedMobileNetV2(out_indices=(2, 4, 6))
    full.eval()  # mmdet's MobileNetV2.train() returns None: no chaining
    trimmed.eval()
    assert hasattr(full, 'conv2') and not hasattr(trimmed, 'conv2')
    assert trimmed.layers == [f'layer{i}' for i in range(1, 8)]
    n_full = sum(p.numel() for p in full.parameters())
    n_trim = sum(p.numel() for p in trimmed.parameters())
    conv2 = sum(p.numel() for p in full.conv2.parameters())
    assert n_full - n_trim == conv2 == 320 * 1280 + 2 * 1280

    # a checkpoint of the full backbone (torchvision's ImageNet weights hold conv2
    # too) loads with nothing missing and nothing unexpected
    result = trimmed.load_state_dict(full.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    load_state_dict(trimmed, full.state_dict(), strict=True)  # mmengine's loader agrees
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(full(x), trimmed(x)):
            assert torch.equal(a, b)


def test_every_parameter_gets_a_gradient():
    net = TrimmedMobileNetV2(out_indices=(1, 2, 4, 6))
    net.train()
    sum(o.mean() for o in net(torch.rand(2, 3, 64, 64))).backward()
    assert all(p.grad is not None for p in net.parameters() if p.requires_grad)
    full = MobileNetV2(out_indices=(1, 2, 4, 6))
    full.train()
    sum(o.mean() for o in full(torch.rand(2, 3, 64, 64))).backward()
    assert {n for n, p in full.named_parameters() if p.grad is None} == \
        {'conv2.conv.weight', 'conv2.bn.weight', 'conv2.bn.bias'}  # what DDP reported


def test_keeping_the_last_stage_keeps_mmdets_backbone():
    net = TrimmedMobileNetV2(out_indices=(2, 7))
    assert hasattr(net, 'conv2') and net.layers[-1] == 'conv2' and net.dropped == []
