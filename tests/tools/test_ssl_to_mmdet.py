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


def test_dino_saved_from_ddp_is_recognised(tmp_path, reference, capsys):
    """DINO's student (and a teacher saved from DDP) carry a ``module.`` prefix."""
    src, out = tmp_path / 'dino.pth', tmp_path / 'mmdet.pth'
    teacher = {f'module.backbone.{k}': v for k, v in reference.items()}
    teacher['module.head.mlp.0.weight'] = torch.zeros(4, 512)
    torch.save(dict(teacher=teacher, student=dict(teacher), epoch=100), src)
    ssl_to_mmdet.main([str(src), str(out), '--depth', str(DEPTH)])
    state = torch.load(out, weights_only=True)['state_dict']
    assert all(torch.equal(state[k], v) for k, v in reference.items())
    assert "layout dino (prefix 'module.backbone.')" in capsys.readouterr().out


def test_the_input_normalisation_of_each_layout_is_recorded(tmp_path, reference, capsys):
    src = tmp_path / 'ssl.pth'
    torch.save(_layout(reference, 'torchvision'), src)
    for layout, mean, std in (('simclr', [0.0] * 3, [255.0] * 3),
                              ('torchvision', [123.675, 116.28, 103.53], [58.395, 57.12, 57.375])):
        out = tmp_path / f'{layout}.pth'
        ssl_to_mmdet.main([str(src), str(out), '--depth', str(DEPTH), '--layout', layout])
        meta = torch.load(out, weights_only=True)['meta']
        assert meta['layout'] == layout
        assert meta['input_norm'] == dict(mean=mean, std=std, bgr_to_rgb=True)
        assert f'inputs: model.data_preprocessor mean={mean} std={std}' in capsys.readouterr().out


def test_the_simclr_config_feeds_unit_range_rgb():
    import os.path as osp

    from projects.utils import load_config
    from tests.conftest import ROOT
    cfg = load_config(osp.join(ROOT, 'configs/self_training/table4/'
                                     'sup_retinanet_r50-simclr_fpn_syncbn-all_8xb2-3x-s4_coco.py'))
    pre = cfg.model.data_preprocessor
    assert (pre.mean, pre.std, pre.bgr_to_rgb) == (
        ssl_to_mmdet.UNIT_NORM['mean'], ssl_to_mmdet.UNIT_NORM['std'], True)
    assert cfg.model.backbone.init_cfg == dict(
        type='SafePretrained', checkpoint='checkpoints/resnet50_simclr_mmdet.pth')
