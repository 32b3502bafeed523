"""JointTrainingDetector: both tasks train the shared backbone, the checkpoint
is a plain detector's plus cls_head, and the demo config trains end to end."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmdet.registry import MODELS
from tests.conftest import ROOT, demo_cfg_options, logged_scalars, run_tool

JOINT = osp.join(ROOT, 'configs/demo',
                 'joint_retinanet_r18w32-scratch_fpn_gn-all_1xb12-600i_demo-lab50-cls.py')
PLAIN = osp.join(ROOT, 'configs/demo',
                 'sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py')


def _batch(demo_data):
    cfg = Config.fromfile(JOINT)
    init_default_scope('mmdet')
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    for ds in (loader_cfg.dataset.human, loader_cfg.dataset.classify):
        ds.data_root = demo_data + '/'
    loader_cfg.sampler.batch_size = loader_cfg.batch_size = 6  # 4 detection + 2 crops
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    data = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
    return cfg, model, model.data_preprocessor(data, True)


def _grad_norm(params):
    return sum(float(p.grad.abs().sum()) for p in params if p.grad is not None)


def test_both_losses_reach_the_shared_backbone(demo_data):
    cfg, model, data = _batch(demo_data)
    inputs, samples = data['inputs'], data['data_samples']
    assert len(samples['human']) == 4 and len(samples['classify']) == 2
    assert all(s.metainfo['gt_label'] in (0, 1, 2) for s in samples['classify'])
    backbone = list(model.backbone.parameters())
    det = model.loss_by_detection(inputs, samples)
    model.parse_losses(det)[0].backward()
    det_norm, head_norm = _grad_norm(backbone), _grad_norm(model.cls_head.parameters())
    model.zero_grad(set_to_none=True)
    cls = model.loss_by_classification(inputs['classify'], samples['classify'])
    cls['joint_cls_loss'].backward()
    assert det_norm > 0 and head_norm == 0  # detection does not touch the classifier
    assert _grad_norm(backbone) > 0 and _grad_norm(model.cls_head.parameters()) > 0
    assert _grad_norm(model.bbox_head.parameters()) == 0  # nor classification the detector head
    # a fresh 3-way classifier: cross-entropy near ln 3
    assert abs(float(cls['joint_cls_loss']) - 1.0986) < 0.3
    losses = model.loss(inputs, samples)
    assert {'loss_cls', 'loss_bbox', 'joint_cls_loss', 'joint_cls_acc'} <= set(losses)


def test_checkpoint_is_a_plain_detector_plus_cls_head(demo_data):
    cfg, model, _ = _batch(demo_data)
    plain = MODELS.build(Config.fromfile(PLAIN).model)
    result = plain.load_state_dict(model.state_dict(), strict=False)
    assert result.missing_keys == []
    assert result.unexpected_keys and all(k.startswith('cls_head.')
                                          for k in result.unexpected_keys)
    for key, value in plain.state_dict().items():
        assert torch.equal(value, model.state_dict()[key]), key


def test_weight_zero_leaves_the_classifier_out_of_the_loss(demo_data):
    cfg, model, data = _batch(demo_data)
    model.cls_weight = 0.0
    out = model.loss_by_classification(data['inputs']['classify'], data['data_samples']['classify'])
    assert float(out['joint_cls_loss']) == 0.0
    with pytest.raises(ValueError, match='cls_weight'):
        MODELS.build(dict(cfg.model, cls_weight=-1))


def test_demo_config_trains_and_its_checkpoint_tests_as_a_plain_detector(demo_data, tmp_path):
    work = str(tmp_path / 'joint')
    opts = [f'train_dataloader.dataset.{part}.data_root={demo_data}/'
            for part in ('human', 'classify')]
    opts += [o for o in demo_cfg_options(demo_data) if not o.startswith('train_dataloader')]
    opts += ['train_cfg.base_iters=3', 'train_cfg.multiplier=1', 'train_cfg.val_interval=90000',
             'train_cfg.checkpoint_interval=90000', 'default_hooks.logger.interval=1',
             'train_dataloader.sampler.batch_size=6']
    run_tool(['tools/train.py', JOINT, '--work-dir', work, '--cfg-options'] + opts)
    rows = [r for r in logged_scalars(work) if 'joint_cls_loss' in r]
    assert len(rows) == 3 and all(r['joint_cls_loss'] > 0 and r['loss_cls'] > 0 for r in rows)
    ckpt = osp.join(work, 'iter_3.pth')
    proc = run_tool(['tools/test.py', PLAIN, ckpt, '--work-dir', str(tmp_path / 'test'),
                      '--cfg-options'] + [o for o in demo_cfg_options(demo_data)
                                          if not o.startswith('train_dataloader')])
    # evaluated every test batch (3 iterations detect nothing yet: no AP to compare)
    assert 'Iter(test) [2/2]' in proc.stdout + proc.stderr
    assert 'left out the joint-training classifier (2 cls_head tensors)' in \
        proc.stdout + proc.stderr


def test_plain_detector_load_leaves_the_classifier_out(demo_data):
    from projects.apis.inference import drop_joint_classifier
    cfg, model, _ = _batch(demo_data)
    ckpt = dict(state_dict=model.state_dict())
    drop_joint_classifier(model, ckpt)  # the joint model itself keeps its classifier
    assert 'cls_head.fc.weight' in ckpt['state_dict']
    plain = MODELS.build(Config.fromfile(PLAIN).model)
    drop_joint_classifier(plain, ckpt)
    assert not [k for k in ckpt['state_dict'] if k.startswith('cls_head.')]
    assert set(ckpt['state_dict']) == set(plain.state_dict())
