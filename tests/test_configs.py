"""Every config under configs/ loads, and its model and pipelines build."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope, init_default_scope

from projects.utils.data_check import check_train_sampler
from tests.conftest import ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
                 # studies/ hold run_study.py grids, not training configs
                 if not {'_base_', 'studies'} & set(p.split(osp.sep)))
_BUILT_MODELS = {}


def _leaf_datasets(dataset):
    """The datasets that hold a pipeline, through wrappers and concatenations."""
    if 'dataset' in dataset:  # RepeatDataset, ClassBalancedDataset, ...
        return _leaf_datasets(dataset['dataset'])
    if 'datasets' in dataset:  # ConcatDataset
        return [leaf for ds in dataset['datasets'] for leaf in _leaf_datasets(ds)]
    if 'human' in dataset:  # HumanPseudoDataset
        return _leaf_datasets(dataset['human']) + _leaf_datasets(dataset['pseudo'])
    return [dataset]


def test_configs_found():
    assert len(CONFIGS) > 10


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds(path):
    cfg = Config.fromfile(path)
    scope = cfg.get('default_scope', 'mmdet')
    init_default_scope(scope)
    with DefaultScope.overwrite_default_scope(scope):
        from mmengine.registry import MODELS
        key = cfg.model.pretty_text if hasattr(cfg.model, 'pretty_text') else str(cfg.model)
        if key not in _BUILT_MODELS:  # identical models are built once
            model = MODELS.build(cfg.model)
            _BUILT_MODELS[key] = sum(p.numel() for p in model.parameters())
        assert _BUILT_MODELS[key] > 0
        check_train_sampler(cfg)  # half/half batches are not regrouped
        for loader in ('train_dataloader', 'val_dataloader'):
            if cfg.get(loader) is None:
                continue
            for dataset in _leaf_datasets(cfg[loader]['dataset']):
                pipeline = Compose(dataset['pipeline'])
                assert len(pipeline.transforms) > 0, f'{loader} pipeline is empty'
