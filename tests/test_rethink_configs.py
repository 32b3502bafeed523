"""He et al. configs: norm layers everywhere, no pre-training in scratch runs."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import ROOT

STUDY = sorted(glob.glob(osp.join(ROOT, 'configs', 'rethink_imagenet', 'sup_*.py')))
NORMED = [p for p in STUDY if '_nonorm_' not in p]  # VGG-16 has no norm by design


def _bbox_heads(model):
    heads = model.roi_head.bbox_head
    return heads if isinstance(heads, list) else [heads]  # Cascade: one per stage


def _norm_places(model):
    places = dict(backbone=model.backbone.norm_cfg, neck=model.neck.norm_cfg)
    for i, head in enumerate(_bbox_heads(model)):
        places[f'bbox_head{i}'] = head.norm_cfg
    if 'mask_head' in model.roi_head:
        places['mask_head'] = model.roi_head.mask_head.norm_cfg
    return places


@pytest.mark.parametrize('path', NORMED, ids=osp.basename)
def test_norm_in_every_place(path):
    cfg = Config.fromfile(path)
    norm = 'GN' if '_gn-all_' in path else 'SyncBN'
    places = _norm_places(cfg.model)
    stages = 3 if 'cascade' in path else 1
    assert len(places) == 2 + stages + ('mask-rcnn' in path)
    for where, norm_cfg in places.items():
        assert norm_cfg['type'] == norm, where
        if norm == 'GN':
            assert norm_cfg['num_groups'] == 32, where
    assert {h.type for h in _bbox_heads(cfg.model)} == {'Shared4Conv1FCBBoxHead'}
    assert cfg.model.backbone.frozen_stages == -1
    assert cfg.model.backbone.norm_eval is False
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0.0
    # the paper's 35k-image runs use lr 0.04
    assert cfg.optim_wrapper.optimizer.lr == (0.04 if '_coco-35k' in path else 0.02)
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_dataloader.batch_size == 2


@pytest.mark.parametrize('path', STUDY, ids=osp.basename)
def test_init_matches_name(path):
    cfg = Config.fromfile(path)
    init_cfg = cfg.model.backbone.get('init_cfg')
    if '-scratch_' in path:  # random init (VGG-16: its MSRA default, no init_cfg)
        assert init_cfg is None
        assert 'Pretrained' not in cfg.model.pretty_text if hasattr(cfg.model, 'pretty_text') \
            else 'Pretrained' not in str(cfg.model)
    elif '_x152-' in path:  # no offline checkpoint: a path the user sets
        assert init_cfg == dict(type='Pretrained',
                                checkpoint='checkpoints/x152-32x8d_gn_in1k.pth')
    elif '_vgg16-' in path:
        assert init_cfg == dict(type='Pretrained', checkpoint='torchvision://vgg16')
    else:
        assert init_cfg['type'] == 'Pretrained'
        depth = cfg.model.backbone.depth
        expected = (f'open-mmlab://detectron/resnet{depth}_gn' if '_gn-all_' in path
                    else f'torchvision://resnet{depth}')
        assert init_cfg['checkpoint'] == expected


def test_built_gn_model_has_no_batchnorm():
    import torch.nn as nn
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    path = osp.join(ROOT, 'configs', 'rethink_imagenet',
                    'sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py')
    cfg = Config.fromfile(path)
    init_default_scope('mmdet')
    cfg.model.backbone.depth = 18  # same norm wiring, smaller build
    model = MODELS.build(cfg.model)
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    gn_parents = {name.split('.')[0] for name, m in model.named_modules()
                  if isinstance(m, nn.GroupNorm)}
    assert {'backbone', 'neck', 'roi_head'} <= gn_parents
    heads = {name.split('.')[1] for name, m in model.named_modules()
             if isinstance(m, nn.GroupNorm) and name.startswith('roi_head')}
    assert heads == {'bbox_head', 'mask_head'}


def _tiny_instance_batch(model, size=64):
    from tests.test_configs import _tiny_batch
    return model.data_preprocessor(_tiny_batch(model, size), True)


def test_vgg16_model_has_no_norm_layer_and_trains():
    import torch
    import torch.nn as nn
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    from tests.test_configs import small_batch_settings
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'rethink_imagenet',
                                   'sup_mask-rcnn_vgg16-scratch_fpn_nonorm_8xb2-6x_coco.py'))
    init_default_scope('mmdet')
    torch.manual_seed(0)
    from mmengine.config import ConfigDict
    model = MODELS.build(ConfigDict(small_batch_settings(cfg.model.to_dict())))
    model.init_weights()
    norms = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d)
    assert not [n for n, m in model.named_modules() if isinstance(m, norms)]
    conv = model.backbone.features[0].weight  # MSRA: std sqrt(2 / fan_out) = sqrt(2 / 576)
    assert abs(float(conv.std()) - (2 / (64 * 9)) ** 0.5) < 0.01
    feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert [tuple(f.shape[1:]) for f in feats] == [(128, 16, 16), (256, 8, 8), (512, 4, 4),
                                                  (512, 2, 2)]
    optim = torch.optim.SGD(model.parameters(), lr=0.002, momentum=0.9)
    data = _tiny_instance_batch(model)
    losses = []
    for _ in range(3):
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(float(loss))
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]


def test_vgg16_loads_torchvision_layout():
    import torch
    from projects.models.backbones import VGG16
    net = VGG16()
    keys = {k for k in net.state_dict()}
    # torchvision vgg16: convs at these indices of `features`
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    assert keys == {f'features.{i}.{p}' for i in convs for p in ('weight', 'bias')}
    assert net.features[28].weight.shape == torch.Size([512, 512, 3, 3])


def test_cascade_tta_config_uses_box_merging_for_masks():
    from tools.lib.tta import apply_det_tta
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'rethink_imagenet',
                                   'sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x-ms-tta_coco.py'))
    assert len(cfg.tta_pipeline[1].transforms[0]) == 3  # three scales
    cfg = apply_det_tta(cfg)
    assert cfg.model.type == 'BoxOnlyDetTTAModel' and cfg.model.module.type == 'CascadeRCNN'
    assert cfg.test_evaluator.metric == 'bbox'
