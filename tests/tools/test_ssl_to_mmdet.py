"""Self-supervised ResNet checkpoints in each common layout land on mmdet's keys."""
import pytest
import torch

from projects.utils import UserInputError
from tools.model_converters import ssl_to_mmdet

DEPTH = 18  # the same naming as 50, at a fraction of the size


@pytest.fixture(scope='module')
def reference():
    """mmdet ResNet-18 tensors filled with distinct values (each tensor its own)."""
    expected = ssl_to_mmdet.expected_keys(DEPTH)
    return {k: torch.full(shape, float(i)) for i, (k, shape) in enumerate(expected.items())}


def _layout(reference, layout):
    heads = {'fc.weight': torch.zeros(10, 512), 'fc.bias': torch.zeros(10)}
    if layout == 'torchvision':  # SimCLR-style conversion: a plain state dict + fc
        return dict(reference, **heads)
    if layout == 'moco':
        sd = {f'module.encoder_q.{k}': v for k, v in reference.items()}
        sd.update({f'module.encoder_k.{k}': v + 1 for k, v in reference.items()})
        sd['module.encoder_q.fc.0.weight'] = torch.zeros(4, 512)
        return dict(state_dict=sd, epoch=200, arch='resnet18')
    if layout == 'dino':
        student = {f'backbone.{k}': v + 2 for k, v in reference.items()}
        teacher = {f'backbone.{k}': v for k, v in reference.items()}
        teacher['head.mlp.0.weight'] = torch.zeros(4, 512)
        return dict(teacher=teacher, student=student, epoch=100)
    if layout == 'mmpretrain':
        sd = {f'backbone.{k}': v for k, v in reference.items()}
        sd.update({'neck.mlp.0.weight': torch.zeros(4, 512), 'head.fc.weight': torch.zeros(2)})
        return dict(state_dict=sd, meta=dict(epoch=1))
    raise ValueError(layout)


@pytest.mark.parametrize('layout', ['torchvision', 'moco', 'dino', 'mmpretrain'])
def test_every_backbone_tensor_lands_on_its_key(tmp_path, reference, layout, capsys):
    src, out = tmp_path / 'ssl.pth', tmp_path / 'mmdet.pth'
    torch.save(_layout(reference, layout), src)
    ssl_to_mmdet.main([str(src), str(out), '--depth', str(DEPTH)])
    state = torch.load(out, weights_only=True)['state_dict']
    assert set(state) == set(reference)
    for key, value in reference.items():
        assert torch.equal(state[key], value), key  # DINO: the teacher, not the student
    text = capsys.readouterr().out
    assert f'layout {layout}' in text  # recognised without --layout
    assert 'left out' in text


def test_the_converted_file_initialises_an_mmdet_resnet(tmp_path, reference):
    from mmdet.models.backbones import ResNet
    src, out = tmp_path / 'ssl.pth', tmp_path / 'mmdet.pth'
    torch.save(_layout(reference, 'moco'), src)
    ssl_to_mmdet.main([str(src), str(out), '--depth', str(DEPTH)])
    net = ResNet(depth=DEPTH, init_cfg=dict(type='SafePretrained', checkpoint=str(out)))
    net.init_weights()
    assert torch.equal(net.layer3[1].conv2.weight, reference['layer3.1.conv2.weight'])


def test_incomplete_or_mismatched_checkpoints_fail_in_one_line(tmp_path, reference):
    partial = {k: v for k, v in reference.items() if not k.startswith('layer4')}
    with pytest.raises(UserInputError, match=r'ResNet-18 tensors not found.*layer4'):
        ssl_to_mmdet.convert(partial, DEPTH)
    with pytest.raises(UserInputError, match='not found'):
        ssl_to_mmdet.convert(reference, DEPTH, layout='moco')  # named layout, wrong prefix
    with pytest.raises(UserInputError, match='checkpoint not found'):
        ssl_to_mmdet.main([str(tmp_path / 'none.pth'), str(tmp_path / 'o.pth')])
