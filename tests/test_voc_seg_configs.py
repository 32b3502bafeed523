"""The PASCAL VOC segmentation configs hold what their names say."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from tests.conftest import ROOT

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'voc_seg', '*.py')))
NAME = re.compile(r'(sup|nst)_(deeplabv3plus|fpn)_r50-(scratch|in1k)_(d8|fpn)_(gn-all|syncbn-all)_'
                  r'4xb(\d)-(\d)x-(s\d)_voc12aug-512x512(-unlabeled)?\.py')


def _norms(cfg):
    return {cfg.backbone.norm_cfg.type, cfg.decode_head.norm_cfg.type} | \
        ({cfg.neck.norm_cfg.type} if 'neck' in cfg else set())


def _strengths(dataset):
    parts = dataset.get('datasets') or [dataset.get('human'), dataset.get('pseudo')]
    leaves = [d for p in parts if p for d in (p.get('datasets') or [p])]
    return {t['strength'] for d in leaves for t in d.pipeline if 'StrengthAugment' in t['type']}


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_holds_what_its_name_says(path):
    method, model, init, _, norm, batch, mult, strength, unl = \
        NAME.fullmatch(osp.basename(path)).groups()
    cfg = Config.fromfile(path)
    seg = cfg.model.segmentor if method == 'nst' else cfg.model
    assert cfg.model.type == ('NoisyStudentSegmentor' if method == 'nst' else 'EncoderDecoder')
    assert _norms(seg) == {'GN' if norm == 'gn-all' else 'SyncBN'}
    assert (seg.get('pretrained') is not None) == (init == 'in1k')
    assert cfg.train_cfg.multiplier == int(mult) and cfg.train_cfg.base_iters == 40000
    assert _strengths(cfg.train_dataloader.dataset) == {strength.upper()}
    assert cfg.train_dataloader.batch_size == int(batch)
    assert bool(unl) == (method == 'nst')
    if method == 'nst':
        assert cfg.train_dataloader.sampler.source_ratio == [1, 1]
