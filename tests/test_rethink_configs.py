"""He et al. configs: norm layers everywhere, no pre-training in scratch runs."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import ROOT

STUDY = sorted(glob.glob(osp.join(ROOT, 'configs', 'rethink_imagenet', 'sup_*.py')))


def _norm_places(model):
    places = dict(backbone=model.backbone.norm_cfg, neck=model.neck.norm_cfg,
                  bbox_head=model.roi_head.bbox_head.norm_cfg)
    if 'mask_head' in model.roi_head:
        places['mask_head'] = model.roi_head.mask_head.norm_cfg
    return places


@pytest.mark.parametrize('path', STUDY, ids=osp.basename)
def test_norm_in_every_place(path):
    cfg = Config.fromfile(path)
    norm = 'GN' if '_gn-all_' in path else 'SyncBN'
    places = _norm_places(cfg.model)
    assert len(places) == (4 if 'mask-rcnn' in path else 3)
    for where, norm_cfg in places.items():
        assert norm_cfg['type'] == norm, where
        if norm == 'GN':
            assert norm_cfg['num_groups'] == 32, where
    assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
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
    init_cfg = cfg.model.backbone.init_cfg
    if '-scratch_' in path:
        assert init_cfg is None
        assert 'Pretrained' not in cfg.model.pretty_text if hasattr(cfg.model, 'pretty_text') \
            else 'Pretrained' not in str(cfg.model)
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
