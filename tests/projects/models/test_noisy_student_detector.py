"""NoisyStudentDetector: exact half/half batches, normalized losses, init
from a plain detector checkpoint."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmdet.registry import MODELS
from tests.conftest import ROOT

STUDENT = osp.join(ROOT, 'configs/demo',
                   'nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')


def _cfg(demo_data, ratio=(1, 1), batch=8):
    cfg = Config.fromfile(STUDENT)
    init_default_scope('mmdet')
    loader = copy.deepcopy(cfg.train_dataloader)
    human, pseudo = loader.dataset.human, loader.dataset.pseudo
    for ds in (human, pseudo):
        ds.data_root = demo_data + '/'
    # the labelled json doubles as a pseudo-label file for these checks
    pseudo.ann_file = 'annotations/instances_train_labeled.json'
    pseudo.data_prefix = dict(img='images/')
    loader.batch_size = batch
    loader.sampler.batch_size = batch
    loader.sampler.source_ratio = list(ratio)
    return cfg, loader


@pytest.mark.parametrize('ratio,batch,expected', [((1, 1), 8, (4, 4)), ((1, 3), 8, (2, 6)),
                                                  ((1, 1), 6, (3, 3))])
def test_every_batch_has_the_configured_composition(demo_data, ratio, batch, expected):
    cfg, loader_cfg = _cfg(demo_data, ratio, batch)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    model = MODELS.build(cfg.model)
    for i, data in zip(range(6), loader):
        data = model.data_preprocessor(data, True)
        inputs = data['inputs']
        assert (len(inputs.get('human', [])), len(inputs.get('pseudo', []))) == expected, i


def test_loss_is_normalized_sum_of_branch_losses(demo_data):
    cfg, loader_cfg = _cfg(demo_data)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    data = model.data_preprocessor(next(iter(Runner.build_dataloader(loader_cfg, seed=0))), True)
    inputs, samples = data['inputs'], data['data_samples']
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        human = model.student.loss(inputs['human'], samples['human'])
        pseudo = model.student.loss(inputs['pseudo'], samples['pseudo'])
    lh = sum(sum(v) if isinstance(v, list) else v for k, v in human.items() if 'loss' in k)
    lp = sum(sum(v) if isinstance(v, list) else v for k, v in pseudo.items() if 'loss' in k)
    total = sum(sum(v) if isinstance(v, list) else v for k, v in losses.items() if 'loss' in k)
    # first step: the averages equal the current values, so with alpha = 1
    # L = (L_h + (L_h / L_p) * L_p) / 2 = L_h, and the pseudo weight is L_h / L_p / 2
    assert float(total) == pytest.approx(float(lh), rel=1e-4)
    assert float(losses['pseudo_weight']) == pytest.approx(float(lh / lp / 2), rel=1e-4)
    unsup = sum(sum(v) if isinstance(v, list) else v
                for k, v in losses.items() if k.startswith('unsup_loss'))
    assert float(unsup) == pytest.approx(float(lp * lh / lp / 2), rel=1e-4)
    assert all(k.startswith(('sup_', 'unsup_')) for k in losses if 'loss' in k)
    assert float(losses['L_h']) == pytest.approx(float(lh), rel=1e-4)


def test_plain_detector_checkpoint_initialises_student(tmp_path):
    cfg = Config.fromfile(STUDENT)
    init_default_scope('mmdet')
    plain = MODELS.build(cfg.detector)
    torch.save(dict(state_dict=plain.state_dict(), meta={}), tmp_path / 'teacher.pth')
    student = MODELS.build(cfg.model)
    from mmengine.runner import load_checkpoint
    load_checkpoint(student, str(tmp_path / 'teacher.pth'), map_location='cpu')
    for k, v in plain.state_dict().items():
        assert torch.equal(student.student.state_dict()[k], v), k
