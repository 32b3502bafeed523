"""``mmdet::`` bases resolve to the same files, without the metafile scan."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.config import utils as config_utils
from mmengine.utils import get_installed_path

import projects.compat.external_config_paths as fast
from tests.conftest import ROOT

CONFIGS = ['configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py',
           'configs/self_training/nst_mask-rcnn_r50-in1k_fpn_gn-all_8xb4-3x-s4_coco-20pct-'
           'unlabeled.py',
           'configs/voc_seg/sup_fpn_r50-scratch_fpn_gn-all_4xb4-4x-s1_voc12aug-512x512.py']


def test_a_base_file_is_the_file_mmengine_finds():
    mmdet = get_installed_path('mmdet')
    for base in ('_base_/default_runtime.py', '_base_/models/retinanet_r50_fpn.py'):
        with pytest.raises(ValueError):  # mmengine's metafile lookup never matches a .py path
            config_utils._get_cfg_metainfo(mmdet, base.split('.')[0])
        assert fast.external_cfg_path(mmdet, base) == \
            config_utils._get_external_cfg_base_path(mmdet, base)


def test_bare_model_names_still_go_to_mmengine(monkeypatch):
    calls = []
    monkeypatch.setattr(fast, '_mmengine_external_cfg_path',
                        lambda package, name: calls.append(name) or 'found')
    assert fast.external_cfg_path('/nowhere', 'retinanet_r50_fpn_1x_coco') == 'found'
    assert fast.external_cfg_path('/nowhere', '_base_/missing.py') == 'found'
    assert calls == ['retinanet_r50_fpn_1x_coco', '_base_/missing.py']


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_whole_configs_are_unchanged(path, monkeypatch):
    import mmengine.config.config as config_module
    ours = Config.fromfile(osp.join(ROOT, path)).to_dict()
    monkeypatch.setattr(config_module, '_get_external_cfg_path',
                        fast._mmengine_external_cfg_path)
    assert Config.fromfile(osp.join(ROOT, path)).to_dict() == ours
