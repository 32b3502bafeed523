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


def _bumps(kps: torch.Tensor, rois: torch.Tensor, size: int = 56, sigma: float = 1.0):
    """(P, K, S, S) heatmap logits peaked (sigma in cells) at each keypoint's
    continuous position in its RoI: what a trained head gives."""
    x1, y1, x2, y2 = (rois[:, i:i + 1] for i in range(4))
    hx = (kps[..., 0] - x1) * size / (x2 - x1)
    hy = (kps[..., 1] - y1) * size / (y2 - y1)
    c = torch.arange(size) + 0.5
    d2 = (c[None, None, None, :] - hx[..., None, None]) ** 2 + \
        (c[None, None, :, None] - hy[..., None, None]) ** 2
    return 10 * torch.exp(-d2 / (2 * sigma ** 2))


def _cell_centre_decode(heatmaps, rois):
    """The decode this replaced: the argmax cell's centre on the 56 x 56 map."""
    num, k, size = heatmaps.shape[0], heatmaps.shape[1], heatmaps.shape[-1]
    idx = heatmaps.reshape(num, k, -1).argmax(-1)
    yi, xi = (idx // size).float(), (idx % size).float()
    x1, y1, x2, y2 = (rois[:, i:i + 1] for i in range(4))
    return torch.stack([x1 + (xi + 0.5) * (x2 - x1) / size, y1 + (yi + 0.5) * (y2 - y1) / size], -1)


def test_decode_round_trip_is_within_half_a_pixel_on_large_boxes():
    """detectron2's decode: each RoI's heatmap resized bicubically to its pixel
    size before the argmax; on 200 x 400 and 300 x 150 boxes the keypoints come
    back 0.5 px off on average at most (the argmax cell centre: about 1.5 px)."""
    gen = torch.Generator().manual_seed(0)
    rois = torch.tensor([[10., 20., 210., 420.], [0., 0., 300., 150.]])
    kps = torch.rand(2, 200, 3, generator=gen) * 0.9 + 0.05
    kps[..., 0] = rois[:, 0:1] + kps[..., 0] * (rois[:, 2:3] - rois[:, 0:1])
    kps[..., 1] = rois[:, 1:2] + kps[..., 1] * (rois[:, 3:4] - rois[:, 1:2])
    heatmaps = _bumps(kps, rois)
    error = (decode_keypoints(heatmaps, rois)[..., :2] - kps[..., :2]).abs()
    assert float(error.mean()) < 0.5 and float(error.max()) < 1.0
    assert float((_cell_centre_decode(heatmaps, rois) - kps[..., :2]).abs().mean()) > 1.0


def test_decode_is_detectron2s_per_roi_resize_batched():
    """Chunks of one grid_sample give what a bicubic F.interpolate per RoI gives."""
    import torch.nn.functional as F
    gen = torch.Generator().manual_seed(1)
    maps = torch.randn(12, 5, 56, 56, generator=gen)
    wh = torch.rand(12, 2, generator=gen) * 200 + 2
    rois = torch.cat([torch.zeros(12, 2), wh], 1)
    out = decode_keypoints(maps, rois)
    for i in range(12):
        w, h = (int(v) for v in wh[i].ceil().tolist())
        up = F.interpolate(maps[[i]], size=(h, w), mode='bicubic', align_corners=False)[0]
        pos = up.reshape(5, -1).argmax(1)
        x = ((pos % w).float() + 0.5) * wh[i, 0] / w
        y = ((pos // w).float() + 0.5) * wh[i, 1] / h
        assert torch.allclose(out[i, :, 0], x, atol=1e-3) and \
            torch.allclose(out[i, :, 1], y, atol=1e-3), i
    assert decode_keypoints(maps[:0], rois[:0]).shape == (0, 5, 3)


def test_encode_puts_each_keypoint_in_its_cell():
    rois = torch.tensor([[10., 20., 110., 70.]])
    kps = torch.tensor([[[10.0, 20.0, 2.], [110., 70., 2.], [60.9, 45.5, 2.]]])
    targets, valid = encode_keypoints(kps, rois, 56)
    assert valid.all()  # the far corner is inside
    assert targets.tolist() == [[0, 55 * 56 + 55, 28 * 56 + 28]]


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


def _person(tmp_path, keypoints, n_images=1):
    """A COCO person-keypoint set of 64 x 48 images; each labelled keypoint is a
    distinct bright pixel at its (integer) COCO index, the rest black."""
    import json
    import mmcv
    (tmp_path / 'img').mkdir(exist_ok=True)
    images, anns = [], []
    for i in range(n_images):
        img = np.zeros((48, 64, 3), np.uint8)
        for k, (x, y, v) in enumerate(keypoints[i]):
            if v:
                img[y, x] = 40 * (k + 1)
        mmcv.imwrite(img, str(tmp_path / 'img' / f'{i}.png'))
        images.append(dict(id=i + 1, file_name=f'{i}.png', width=64, height=48))
        flat = [float(c) for kp in keypoints[i] for c in kp]
        anns.append(dict(id=i + 1, image_id=i + 1, category_id=1, bbox=[4, 4, 50, 40], area=2000,
                         iscrowd=0, keypoints=flat,
                         num_keypoints=sum(1 for kp in keypoints[i] if kp[2])))
    cats = [dict(id=1, name='person', keypoints=['a', 'b', 'c'], skeleton=[])]
    (tmp_path / 'kp.json').write_text(json.dumps(dict(images=images, annotations=anns,
                                                      categories=cats)))
    return str(tmp_path / 'kp.json')


def _keypoint_set(tmp_path, ann, pipeline, **kwargs):
    from mmdet.registry import DATASETS
    init_default_scope('mmdet')
    return DATASETS.build(dict(
        type='CocoKeypointDataset', data_root=str(tmp_path) + '/', ann_file=ann,
        data_prefix=dict(img='img/'), metainfo=dict(classes=('person', ),
                                                   keypoint_names=('a', 'b', 'c')),
        filter_cfg=dict(filter_empty_gt=True), pipeline=pipeline, **kwargs))


def test_a_flipped_keypoint_lands_on_the_flipped_objects_pixel(tmp_path):
    """Issue #34 item 3: keypoints are continuous (COCO index + 0.5), so mmdet's
    flip x -> W - x moves each onto the mirrored pixel; flipping twice is exact."""
    ann = _person(tmp_path, [[(10, 7, 2), (50, 30, 2), (63, 47, 1)]])
    load = [dict(type='SafeLoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True)]
    follow = dict(type='KeypointsFollowImage', flip_pairs=[(0, 1)])
    plain = _keypoint_set(tmp_path, ann, load + [follow])[0]
    np.testing.assert_allclose(plain['gt_keypoints'][0][:, :2],
                               [[10.5, 7.5], [50.5, 30.5], [63.5, 47.5]])
    flip = dict(type='RandomFlip', prob=1.0)
    once = _keypoint_set(tmp_path, ann, load + [flip, follow])[0]
    kps = once['gt_keypoints'][0]
    for k, (x, y, _) in enumerate(kps):  # after the swap, keypoint 0 is the old keypoint 1
        source = {0: 1, 1: 0, 2: 2}[k]
        assert once['img'][int(y - 0.5), int(x - 0.5), 0] == 40 * (source + 1), k
    again = dict(img=once['img'], img_shape=once['img'].shape[:2], ori_shape=(48, 64),
                 gt_bboxes=once['gt_bboxes'], gt_bboxes_labels=once['gt_bboxes_labels'],
                 instances=[dict(bbox=[0, 0, 1, 1], bbox_label=0, ignore_flag=0,
                                 keypoints=kps.copy())])
    twice = TRANSFORMS.build(follow)(TRANSFORMS.build(flip)(again))  # the flipped set, flipped
    np.testing.assert_array_equal(twice['gt_keypoints'][0], plain['gt_keypoints'][0])
    np.testing.assert_array_equal(twice['img'], plain['img'])


def test_images_without_a_labelled_keypoint_are_left_out_of_training(tmp_path):
    ann = _person(tmp_path, [[(10, 7, 2), (0, 0, 0), (0, 0, 0)], [(0, 0, 0)] * 3], n_images=2)
    assert len(_keypoint_set(tmp_path, ann, [], min_keypoints_per_image=1)) == 1
    assert len(_keypoint_set(tmp_path, ann, [], min_keypoints_per_image=2,
                             serialize_data=False)) == 0
    assert len(_keypoint_set(tmp_path, ann, [])) == 2  # the option's default keeps both
    assert len(_keypoint_set(tmp_path, ann, [], min_keypoints_per_image=1, test_mode=True)) == 2


def test_oks_ap_of_decoded_ground_truth_heatmaps_is_one(tmp_path):
    """Heatmaps made from the ground truth, decoded on the ground-truth boxes and
    scored by CocoKeypointMetric: AP 1.0 (the pixel convention round-trips)."""
    import json
    from projects.evaluation import CocoKeypointMetric
    gen = np.random.default_rng(0)
    people = [[(int(gen.integers(6, 54)), int(gen.integers(6, 42)), 2) for _ in range(3)]
              for _ in range(6)]
    ann = _person(tmp_path, people, n_images=6)
    coco = json.load(open(ann))
    metric = CocoKeypointMetric(ann_file=ann, sigmas=[0.05] * 3)
    samples = []
    for im, person in zip(coco['images'], people):
        rois = torch.tensor([[4., 4., 54., 44.]])
        kps = torch.tensor([[[x + 0.5, y + 0.5, 2.] for x, y, _ in person]])
        decoded = decode_keypoints(_bumps(kps, rois), rois)
        samples.append(dict(img_id=im['id'], pred_instances=dict(
            labels=torch.zeros(1, dtype=torch.long), scores=torch.ones(1), keypoints=decoded)))
    metric.process({}, samples)
    assert metric.compute_metrics(metric.results)['keypoints_AP'] == pytest.approx(1.0)


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
