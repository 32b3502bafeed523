"""Keypoint branch: target encoding round trip, the loss on a known case, flips
that swap left/right, and the demo model's loss and predictions."""
import copy
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmdet.registry import MODELS, TRANSFORMS
from projects.models.heads import KeypointHeatmapHead, decode_keypoints, encode_keypoints
from tests.conftest import ROOT

KEYPOINT_DEMO = osp.join(ROOT, 'configs/demo',
                         'sup_keypoint-mask-rcnn_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py')


def test_encode_decode_round_trip_is_within_one_cell():
    gen = torch.Generator().manual_seed(0)
    rois = torch.tensor([[10., 20., 110., 70.], [0., 0., 56., 56.], [5., 5., 8., 300.]])
    kps = torch.rand(3, 50, 3, generator=gen)
    size = 56
    for i, (x1, y1, x2, y2) in enumerate(rois.tolist()):
        kps[i, :, 0] = x1 + kps[i, :, 0] * (x2 - x1)
        kps[i, :, 1] = y1 + kps[i, :, 1] * (y2 - y1)
    kps[..., 2] = 2
    kps[0, 0, :2] = rois[0, 2:]  # exactly on the far corner: still inside
    targets, valid = encode_keypoints(kps, rois, size)
    assert valid.all()
    heatmaps = torch.full((3, 50, size * size), -10.0)
    heatmaps.scatter_(2, targets[..., None], 10.0)
    decoded = decode_keypoints(heatmaps.view(3, 50, size, size), rois)
    cell = (rois[:, 2:] - rois[:, :2]) / size  # (3, 2) cell width, height
    assert ((decoded[..., :2] - kps[..., :2]).abs() <= cell[:, None, :] + 1e-4).all()
    assert (decoded[..., 2] > 0.99).all()


def test_unlabelled_or_outside_keypoints_are_not_targets():
    rois = torch.tensor([[10., 10., 50., 50.]])
    kps = torch.tensor([[[20., 20., 0.], [5., 20., 2.], [20., 60., 2.], [30., 30., 1.]]])
    _, valid = encode_keypoints(kps, rois, 56)
    assert valid.tolist() == [[False, False, False, True]]


def test_loss_on_a_known_case():
    head = KeypointHeatmapHead(num_keypoints=2, in_channels=8, conv_out_channels=8,
                               num_convs=1)
    rois = torch.tensor([[0., 0., 56., 56.]])
    kps = torch.tensor([[[10.5, 20.5, 2.], [3., 3., 0.]]])  # one labelled keypoint
    flat = torch.zeros(1, 2, 56, 56)  # uniform logits: cross-entropy log(56 * 56)
    assert float(head.loss(flat, kps, rois)) == pytest.approx(math.log(56 * 56), rel=1e-5)
    peaked = flat.clone()
    peaked[0, 0, 20, 10] = 100.0  # all mass on the target cell (row 20, column 10)
    assert float(head.loss(peaked, kps, rois)) < 1e-6
    none = torch.tensor([[[1., 1., 0.], [2., 2., 0.]]])
    assert float(head.loss(flat, none, rois)) == 0.0


def test_horizontal_flip_mirrors_and_swaps_left_right():
    init_default_scope('mmdet')
    img = np.zeros((40, 100, 3), np.uint8)
    kps = np.array([[[50., 5., 2.], [20., 30., 2.], [70., 32., 2.]]], np.float32)
    results = dict(img=img, img_shape=(40, 100), ori_shape=(40, 100),
                   gt_bboxes=np.array([[15., 2., 75., 35.]], np.float32),
                   instances=[dict(bbox=[15, 2, 75, 35], bbox_label=0, ignore_flag=0,
                                   keypoints=kps[0])])
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0))
    follow = TRANSFORMS.build(dict(type='KeypointsFollowImage', flip_pairs=[(1, 2)]))
    out = follow(flip(copy.deepcopy(results)))['gt_keypoints'][0]
    # top stays top (mirrored); the old right corner is now the left one, mirrored
    np.testing.assert_allclose(out, [[50., 5., 2.], [30., 32., 2.], [80., 30., 2.]])
    resize = TRANSFORMS.build(dict(type='Resize', scale=(50, 20), keep_ratio=False))
    out = follow(resize(copy.deepcopy(results)))['gt_keypoints'][0]
    np.testing.assert_allclose(out[:, :2], kps[0, :, :2] * 0.5)


def _demo_batch(demo_data):
    cfg = Config.fromfile(KEYPOINT_DEMO)
    init_default_scope('mmdet')
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.dataset.data_root = demo_data + '/'
    loader_cfg.batch_size = 4
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    data = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
    return model, model.data_preprocessor(data, True)


def test_demo_model_learns_keypoints_and_predicts_them(demo_data):
    model, data = _demo_batch(demo_data)
    with_kps = [s.gt_instances.keypoints for s in data['data_samples']]
    assert all(k.shape[1:] == (3, 3) for k in with_kps)
    assert sum(int((k[..., 2] > 0).any(-1).sum()) for k in with_kps) > 0  # some triangles
    losses = model(**data, mode='loss')
    assert 'loss_keypoint' in losses
    assert 0 < float(losses['loss_keypoint']) < 2 * math.log(56 * 56)
    model.eval()
    with torch.no_grad():
        preds = model(**data, mode='predict')
    for pred in preds:
        kps = pred.pred_instances.keypoints
        assert kps.shape == (len(pred.pred_instances), 3, 3)
        assert (kps[..., 2] >= 0).all() and (kps[..., 2] <= 1).all()


def test_demo_config_trains_and_evaluates_keypoints_end_to_end(demo_data, tmp_path):
    from tests.conftest import logged_scalars, run_tool
    val = f'{demo_data}/annotations/instances_val.json'
    opts = [f'{loader}.dataset.data_root={demo_data}/'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    opts += [f'val_evaluator.{i}.ann_file={val}' for i in (0, 1)]
    opts += ['train_cfg.base_iters=2', 'train_cfg.multiplier=1', 'train_cfg.val_interval=90000',
             'train_cfg.checkpoint_interval=90000', 'default_hooks.logger.interval=1',
             'train_dataloader.batch_size=2']
    work = str(tmp_path / 'kp')
    run_tool(['tools/train.py', KEYPOINT_DEMO, '--work-dir', work, '--cfg-options'] + opts)
    rows = logged_scalars(work)
    assert sum('loss_keypoint' in r for r in rows) == 2
    final = [r for r in rows if 'coco/keypoints_AP' in r]
    assert len(final) == 1 and 0 <= final[0]['coco/keypoints_AP'] <= 1
    assert 'coco/bbox_mAP' in final[0]
