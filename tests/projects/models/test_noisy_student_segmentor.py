"""NoisyStudentSegmentor: exact half/half batches tagged by source, the
shared loss normalization, init from a plain segmentor checkpoint."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint

from mmseg.registry import MODELS
from tests.conftest import ROOT

STUDENT = osp.join(ROOT, 'configs/demo',
                   'nst_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i-s1_demo-voc-lab50.py')


def _cfg(demo_data, ratio=(1, 1), batch=8):
    cfg = Config.fromfile(STUDENT)
    init_default_scope('mmseg')
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.dataset.human.data_root = f'{demo_data}/voc/'
    # human masks of the unlabelled half stand in for pseudo masks here
    loader.dataset.pseudo.data_root = f'{demo_data}/voc/'
    loader.dataset.pseudo.data_prefix = dict(img_path='JPEGImages',
                                             seg_map_path='SegmentationClass')
    loader.dataset.pseudo.ann_file = 'ImageSets/Segmentation/val.txt'
    loader.batch_size = loader.sampler.batch_size = batch
    loader.sampler.source_ratio = list(ratio)
    return cfg, loader


@pytest.mark.parametrize('ratio,batch,expected', [((1, 1), 8, (4, 4)), ((1, 3), 8, (2, 6))])
def test_every_batch_has_the_configured_composition(demo_data, ratio, batch, expected):
    _, loader_cfg = _cfg(demo_data, ratio, batch)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    for i, data in zip(range(5), loader):
        sources = [s.metainfo['source'] for s in data['data_samples']]
        assert (sources.count('human'), sources.count('pseudo')) == expected, i
        paths = [s.metainfo['seg_map_path'] for s in data['data_samples']]
        assert all(('/val' not in p) for p, s in zip(paths, sources) if s == 'human')


def test_loss_is_the_shared_normalization_of_both_halves(demo_data):
    cfg, loader_cfg = _cfg(demo_data)
    cfg.model.segmentor.decode_head.dropout_ratio = 0.0  # the reference sees the same net
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    data = model.data_preprocessor(next(iter(Runner.build_dataloader(loader_cfg, seed=0))), True)
    inputs, samples = data['inputs'], data['data_samples']
    assert (len(samples['human']), len(samples['pseudo'])) == (4, 4)
    assert {s.metainfo['source'] for s in samples['pseudo']} == {'pseudo'}
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        lh = model.student.loss(inputs['human'], samples['human'])['decode.loss_ce']
        lp = model.student.loss(inputs['pseudo'], samples['pseudo'])['decode.loss_ce']
    # first step: averages = current values, alpha = 1: L = (L_h + L_h/L_p * L_p) / 2
    assert float(losses['sup_decode.loss_ce'] + losses['unsup_decode.loss_ce']) == \
        pytest.approx(float(lh), rel=1e-4)
    assert float(losses['pseudo_weight']) == pytest.approx(float(lh / lp / 2), rel=1e-4)
    assert type(model.loss_norm).__module__ == 'projects.models.loss_normalizer'


def test_plain_segmentor_checkpoint_initialises_student(tmp_path):
    cfg = Config.fromfile(STUDENT)
    init_default_scope('mmseg')
    plain = MODELS.build(cfg.model.segmentor)
    torch.save(dict(state_dict=plain.state_dict(), meta={}), tmp_path / 'teacher.pth')
    student = MODELS.build(cfg.model)
    load_checkpoint(student, str(tmp_path / 'teacher.pth'), map_location='cpu')
    for k, v in plain.state_dict().items():
        assert torch.equal(student.student.state_dict()[k], v), k
