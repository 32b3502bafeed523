"""TeacherStudentDetector: EMA arithmetic, a teacher without gradients,
pseudo boxes and masks that land on the object in the student's view."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmdet.engine.hooks import MeanTeacherHook
from mmdet.registry import MODELS, TRANSFORMS
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from projects.models import warp_masks
from tests.conftest import ROOT

EMA_CFG = osp.join(ROOT, 'configs/demo',
                   'ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')


def _model(**overrides):
    cfg = Config.fromfile(EMA_CFG)
    init_default_scope('mmdet')
    cfg.model.update(overrides)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


class _Runner:
    def __init__(self, model, it=0):
        self.model, self.iter = model, it


@pytest.mark.parametrize('m', [0.01, 0.5])
def test_one_ema_step(m):
    _, model = _model()
    with torch.no_grad():  # make teacher and student differ everywhere
        for p in model.student.parameters():
            p.add_(torch.randn_like(p))
    teacher = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    student = {k: v.clone() for k, v in model.student.state_dict().items()}
    MeanTeacherHook(momentum=m).after_train_iter(_Runner(model), 0)
    for name, p in model.teacher.named_parameters():
        expected = (1 - m) * teacher[name] + m * student[name]
        torch.testing.assert_close(p.detach(), expected, rtol=0, atol=1e-6)
        assert not torch.equal(p.detach(), teacher[name])


def test_ema_starts_as_a_copy_of_the_student():
    _, model = _model()
    MeanTeacherHook(momentum=0.01).before_train(_Runner(model, it=0))
    for (_, t), (_, s) in zip(model.teacher.state_dict().items(),
                              model.student.state_dict().items()):
        assert torch.equal(t, s)


def test_teacher_gets_no_gradients(demo_data):
    cfg, model = _model(semi_train_cfg=dict(score_thr=0.0))
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.dataset.human.data_root = demo_data + '/'
    loader.dataset.pseudo.data_root = demo_data + '/'
    loader.batch_size = loader.sampler.batch_size = 4
    batch = next(iter(Runner.build_dataloader(loader, seed=0)))
    model.train()
    data = model.data_preprocessor(batch, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'sup_loss_cls', 'unsup_loss_cls', 'pseudo_weight'} <= set(losses)
    model.parse_losses(losses)[0].backward()
    assert all(p.grad is None and not p.requires_grad for p in model.teacher.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.student.parameters())


def test_warp_masks_translation_and_flip():
    masks = torch.zeros(1, 10, 20, dtype=torch.bool)
    masks[0, 2:5, 3:9] = True
    shift = torch.tensor([[1., 0, 4], [0, 1, -1], [0, 0, 1]])
    out = warp_masks(masks, shift, (10, 20))
    assert torch.equal(out[0].nonzero().min(0).values, torch.tensor([1, 7]))
    assert out.sum() == masks.sum()
    flip = torch.tensor([[-1., 0, 20], [0, 1, 0], [0, 0, 1]])
    assert torch.equal(warp_masks(masks, flip, (10, 20)), masks.flip(-1))


def _scene():
    img = np.zeros((96, 128, 3), np.uint8)
    img[20:60, 30:70] = (255, 255, 255)  # the object: a 40 x 40 square
    square = [30., 20., 70., 20., 70., 60., 30., 60.]
    return dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2], img_id=0,
                img_path='scene.png',
                instances=[dict(bbox=[30., 20., 70., 60.], bbox_label=0, ignore_flag=0,
                                mask=[square])])


def _view(pipeline, seed):
    np.random.seed(seed)
    init_default_scope('mmdet')
    steps = [TRANSFORMS.build(t) for t in
             [dict(type='LoadAnnotations', with_bbox=True, with_mask=True)] + pipeline +
             [dict(type='PackDetInputs', meta_keys=(
                 'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                 'flip_direction', 'homography_matrix'))]]
    results = _scene()
    for t in steps:
        results = t(results)
    return results['data_samples']


def _mask_iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_pseudo_boxes_and_masks_land_on_the_object(seed):
    """The teacher 'predicts' the object exactly in its weak view; after
    projection the pseudo box and mask must cover the object where the
    strong view put it (scale jitter, crop, flip, rotation)."""
    weak = _view([dict(type='Resize', scale=(160, 120), keep_ratio=True),
                  dict(type='RandomFlip', prob=1.0)], seed)
    strong = _view([dict(type='RandomResize', scale=(128, 96), ratio_range=(0.8, 1.2),
                         keep_ratio=True),
                    dict(type='RandomCrop', crop_size=(100, 80), recompute_bbox=True),
                    dict(type='RandomFlip', prob=0.5),
                    dict(type='Rotate', prob=1.0, min_mag=10.0, max_mag=10.0)], seed)
    truth = copy.deepcopy(strong.gt_instances)
    _, model = _model(semi_train_cfg=dict(score_thr=0.5))
    gt = weak.gt_instances
    pred = InstanceData(bboxes=gt.bboxes.tensor, labels=gt.labels,
                        scores=torch.tensor([0.9]),
                        masks=torch.from_numpy(gt.masks.to_ndarray()).bool())
    result = DetDataSample(metainfo=weak.metainfo)
    result.pred_instances = pred
    model.teacher.predict = lambda *a, **k: [result]
    pseudo, _ = model.get_pseudo_instances(torch.zeros(1), [weak])
    projected = model.project_pseudo_instances(pseudo, [strong])[0].gt_instances
    assert len(projected) == 1 and projected.labels.tolist() == [0]
    box, true_box = projected.bboxes[0], truth.bboxes.tensor[0]
    # the rotated square's enclosing box, computed two ways, agrees to ~1 px
    torch.testing.assert_close(box, true_box, atol=1.5, rtol=0)
    mask = projected.masks.to_ndarray()[0].astype(bool)
    assert mask.shape == tuple(strong.img_shape)
    assert _mask_iou(mask, truth.masks.to_ndarray()[0].astype(bool)) > 0.9


def test_low_scores_are_not_pseudo_labels():
    _, model = _model(semi_train_cfg=dict(score_thr=0.5))
    meta = dict(img_shape=(64, 64), homography_matrix=np.eye(3, dtype=np.float32))
    result = DetDataSample(metainfo=meta)
    result.pred_instances = InstanceData(
        bboxes=torch.tensor([[0., 0, 10, 10], [5, 5, 30, 30]]), labels=torch.tensor([0, 1]),
        scores=torch.tensor([0.49, 0.5]))
    model.teacher.predict = lambda *a, **k: [result]
    pseudo, _ = model.get_pseudo_instances(torch.zeros(1), [DetDataSample(metainfo=meta)])
    assert pseudo[0].gt_instances.labels.tolist() == [1]  # >= threshold kept


@pytest.mark.parametrize('kwargs,name', [(dict(teacher_kind='momentum'), 'teacher_kind'),
                                         (dict(teacher_checkpoint='t.pth'), 'teacher_checkpoint')])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        _model(**kwargs)


def test_fixed_teacher_loads_its_checkpoint_and_refuses_others(tmp_path):
    _, plain = _model()
    path = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=plain.student.state_dict()), path)
    _, model = _model(teacher_kind='fixed', teacher_checkpoint=path)
    for k, v in plain.student.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[k], v)
    torch.save(dict(state_dict={'backbone.other.weight': torch.zeros(1)}), path)
    with pytest.raises(Exception, match='does not fit the detector'):
        _model(teacher_kind='fixed', teacher_checkpoint=path)
    with pytest.raises(Exception, match='teacher_checkpoint not found: nope.pth'):
        _model(teacher_kind='fixed', teacher_checkpoint='nope.pth')
