"""Detection AutoAugment / RandAugment ops, checked by the numbers."""
import math

import numpy as np
import pytest
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks, PolygonMasks

from projects.datasets import DetectionAutoAugment, DetectionRandAugment
from projects.datasets.transforms import box_augment_ops as ops
from projects.datasets.transforms import detection_policies as policies
from projects.datasets.transforms.strength_augment import strength_transforms

AA = ops.AUTOAUGMENT_HPARAMS


def _scene(boxes, size=(320, 320), polygons=False, noise=False):
    """Grey (or noise) image with one white rectangle per box, masks = rectangles."""
    h, w = size
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8) if noise else \
        np.full((h, w, 3), 60, np.uint8)
    masks = np.zeros((len(boxes), h, w), np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        masks[i, y1:y2, x1:x2] = 1
        if not noise:
            img[y1:y2, x1:x2] = 250
    gt_masks = PolygonMasks([[np.array([x1, y1, x2, y1, x2, y2, x1, y2], np.float64)]
                             for x1, y1, x2, y2 in boxes], h, w) if polygons else \
        BitmapMasks(masks, h, w)
    return dict(img=img, img_shape=(h, w), gt_bboxes=HorizontalBoxes(np.array(boxes, np.float32)),
                gt_bboxes_labels=np.arange(len(boxes)), gt_ignore_flags=np.zeros(len(boxes), bool),
                gt_masks=gt_masks)


def _bright_box(img):
    ys, xs = np.nonzero(img[..., 0] > 200)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)


def _mask_box(mask):
    ys, xs = np.nonzero(mask)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)


@pytest.mark.parametrize('level', [2, 4, 6])
def test_translate_x_bbox_moves_pixels_and_boxes_by_the_same_amount(level):
    for seed in range(4):  # both signs
        np.random.seed(seed)
        sample = _scene([(210, 100, 270, 200)], size=(320, 480))
        out = policies.apply_op(sample, 'TranslateX_BBox', 1.0, level, AA)
        shift = out['gt_bboxes'].numpy()[0] - np.array([210, 100, 270, 200])
        expected = level / 10 * 250  # reference: level / _MAX_LEVEL * translate_const
        assert abs(shift[0]) == pytest.approx(expected) and shift[0] == shift[2]
        assert shift[1] == shift[3] == 0
        np.testing.assert_allclose(_bright_box(out['img']), out['gt_bboxes'].numpy()[0])
        np.testing.assert_allclose(_mask_box(out['gt_masks'].masks[0]), out['gt_bboxes'].numpy()[0])
        # the emptied strip is the reference's grey fill
        strip = out['img'][:, :int(expected)] if shift[0] > 0 else out['img'][:, -int(expected):]
        assert (strip == ops.REPLACE).all()


def test_only_bboxes_op_leaves_every_pixel_outside_the_boxes_unchanged():
    boxes = [(30, 40, 110, 150), (200, 60, 290, 250)]
    sample = _scene(boxes, noise=True)
    before = sample['img'].copy()
    np.random.seed(0)
    # per-box probability is prob / 3 (the reference's scaling): 3.0 -> every box
    out = policies.apply_op(sample, 'TranslateY_Only_BBoxes', 3.0, 6, AA)
    inside = np.zeros(before.shape[:2], bool)
    for x1, y1, x2, y2 in boxes:
        inside[y1:y2, x1:x2] = True
    assert (out['img'][~inside] == before[~inside]).all()
    for x1, y1, x2, y2 in boxes:
        assert (out['img'][y1:y2, x1:x2] != before[y1:y2, x1:x2]).any()
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(), np.array(boxes, np.float32))
    # shifted by level / 10 * translate_bbox_const = 72 px inside the box
    x1, y1, x2, y2 = boxes[1]
    crop, orig = out['img'][y1:y2, x1:x2], before[y1:y2, x1:x2]
    assert (crop[72:] == orig[:-72]).all() or (crop[:-72] == orig[72:]).all()


def test_only_bboxes_probability_is_divided_by_three():
    hits = 0
    for seed in range(300):
        np.random.seed(seed)
        sample = _scene([(30, 40, 110, 150)], noise=True)
        before = sample['img'].copy()
        out = policies.apply_op(sample, 'Flip_Only_BBoxes', 0.6, 0, AA)
        hits += (out['img'] != before).any()
    assert 0.12 < hits / 300 < 0.28  # 0.6 / 3 = 0.2


def _rotated_enclosing_box(box, degrees, h, w):
    cx, cy = (w - 1) / 2, (h - 1) / 2
    t = math.radians(degrees)
    xs, ys = [], []
    for x, y in [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]:
        # counter-clockwise as displayed (y grows downwards)
        xs.append(cx + (x - cx) * math.cos(t) + (y - cy) * math.sin(t))
        ys.append(cy - (x - cx) * math.sin(t) + (y - cy) * math.cos(t))
    return np.array([min(xs), min(ys), max(xs), max(ys)])


@pytest.mark.parametrize('polygons', [False, True])
@pytest.mark.parametrize('sign', [1, -1])
def test_rotate_bbox_gives_the_enclosing_box_of_the_rotated_corners(polygons, sign, monkeypatch):
    box = (110, 120, 200, 170)
    monkeypatch.setattr(policies, '_signed', lambda value: sign * value)
    angle = policies.level_to_arg('Rotate_BBox', 10, AA)
    assert angle == sign * 30.0  # level 10 of _MAX_LEVEL 10: the full 30 degrees
    out = policies.apply_op(_scene([box], polygons=polygons), 'Rotate_BBox', 1.0, 10, AA)
    expected = _rotated_enclosing_box(box, angle, 320, 320)
    np.testing.assert_allclose(out['gt_bboxes'].numpy()[0], expected, atol=1e-3)
    # image and mask moved the same way (nearest-neighbour: 1.5 px)
    np.testing.assert_allclose(_bright_box(out['img']), expected, atol=1.5)
    mask = out['gt_masks'].to_ndarray()[0]
    np.testing.assert_allclose(_mask_box(mask), expected, atol=1.5)


@pytest.mark.parametrize('name', ['ShearX_BBox', 'ShearY_BBox', 'TranslateY_BBox'])
def test_masks_follow_their_boxes(name):
    boxes = [(60, 70, 140, 160), (180, 150, 260, 230)]
    for seed in range(3):
        np.random.seed(seed)
        out = policies.apply_op(_scene(boxes), name, 1.0, 8, AA)
        for box, mask in zip(out['gt_bboxes'].numpy(), out['gt_masks'].to_ndarray()):
            if mask.any():
                np.testing.assert_allclose(_mask_box(mask), box, atol=1.5)


@pytest.mark.parametrize('polygons', [False, True])
def test_a_box_pushed_out_of_the_image_is_dropped(polygons):
    boxes = [(10, 10, 60, 60), (150, 150, 200, 200)]
    sample = _scene(boxes, size=(240, 240), polygons=polygons)
    out = sample
    policies.warp_results(out, ops.translate_matrix(-190, 0))  # first box leaves entirely
    assert len(out['gt_bboxes']) == 1 == len(out['gt_bboxes_labels']) == len(out['gt_masks'])
    assert len(out['gt_ignore_flags']) == 1 and out['gt_bboxes_labels'][0] == 1
    np.testing.assert_allclose(out['gt_bboxes'].numpy()[0], [0, 150, 10, 200])


def test_pixel_ops_by_the_numbers():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 128, (40, 50, 3), dtype=np.uint8)
    eq = ops.equalize(img)
    assert eq.max() > 240  # a 0-127 histogram is spread over 0-255
    assert (ops.solarize(np.array([[[10, 200, 128]]], np.uint8), 128) == [[[10, 55, 127]]]).all()
    assert (ops.posterize(np.array([[[255, 17, 100]]], np.uint8), 4) == [[[240, 16, 96]]]).all()
    grey = ops.color(img, 0.0)
    assert (grey[..., 0] == grey[..., 1]).all() and (grey[..., 1] == grey[..., 2]).all()
    assert (ops.brightness(img, 1.0) == img).all()
    added = ops.solarize_add(np.array([[[100, 200, 0]]], np.uint8), 110)
    assert (added == [[[210, 200, 110]]]).all()
    cut = ops.cutout(np.zeros((40, 40, 3), np.uint8), 5, center=(20, 20))
    assert (cut == ops.REPLACE).sum() == 10 * 10 * 3


def test_level_to_arg_uses_the_reference_scale():
    np.random.seed(0)
    ra = ops.RANDAUGMENT_HPARAMS
    assert abs(policies.level_to_arg('ShearX_BBox', 10, AA)) == pytest.approx(0.3)
    assert abs(policies.level_to_arg('TranslateX_BBox', 10, ra)) == 100
    assert abs(policies.level_to_arg('TranslateY_Only_BBoxes', 5, AA)) == 60
    assert policies.level_to_arg('Cutout', 10, ra) == 40
    assert policies.level_to_arg('Cutout', 8, AA) == 80
    assert policies.level_to_arg('Color', 6, AA) == pytest.approx(1.18)
    assert policies.level_to_arg('Posterize', 10, ra) == 4
    assert policies.level_to_arg('SolarizeAdd', 10, ra) == 110


def test_policy_v0_is_the_detection_policy():
    names = {op for sub in policies.POLICIES['v0'] for op, _, _ in sub}
    assert names == {'TranslateX_BBox', 'Equalize', 'TranslateY_Only_BBoxes', 'Cutout',
                     'Sharpness', 'ShearX_BBox', 'ShearY_BBox', 'Rotate_BBox', 'Color'}
    for version, subs in policies.POLICIES.items():
        for sub in subs:
            for op, prob, level in sub:
                assert op in policies.OP_NAMES, (version, op)
                assert 0 <= prob <= 1 and 0 <= level <= 10


@pytest.mark.parametrize('policy', sorted(policies.POLICIES))
def test_every_policy_runs_and_keeps_instances_consistent(policy):
    aug = DetectionAutoAugment(policy=policy)
    for seed in range(15):
        np.random.seed(seed)
        out = aug(_scene([(60, 70, 140, 160), (250, 250, 318, 318)]))
        n = len(out['gt_bboxes'])
        assert n == len(out['gt_bboxes_labels']) == len(out['gt_masks'])
        assert n == len(out['gt_ignore_flags'])
        assert out['img'].shape == (320, 320, 3) and out['img'].dtype == np.uint8


def test_randaugment_at_magnitude_10_is_full_strength():
    aug = DetectionRandAugment(num_ops=2, magnitude=10)
    changed = 0
    for seed in range(20):
        np.random.seed(seed)
        sample = _scene([(60, 70, 140, 160)])
        before = sample['img'].copy()
        out = aug(sample)
        changed += (out['img'] != before).any()
    assert changed >= 14  # 2 draws of 16 ops + identity; some ops leave a flat image
    with pytest.raises(ValueError, match='magnitude'):
        DetectionRandAugment(magnitude=30)  # the old 0-30 reading is refused


def test_segmentation_map_moves_with_the_image():
    img = np.full((100, 100, 3), 60, np.uint8)
    seg = np.zeros((100, 100), np.uint8)
    seg[40:60, 40:60] = 3
    out = dict(img=img, gt_seg_map=seg)
    policies.warp_results(out, ops.translate_matrix(10, 0))
    assert (out['gt_seg_map'][40:60, 50:70] == 3).all() and (out['gt_seg_map'][:, :10] == 255).all()


def test_strength_order_puts_the_policy_on_the_original_image():
    s3 = strength_transforms('S3', (64, 64))
    assert s3[0] == dict(type='DetectionAutoAugment', policy='v0')
    assert [t['type'] for t in s3[1:]] == ['RandomResize', 'RandomCrop', 'RandomFlip',
                                           'FilterAnnotations']
    assert s3[1]['ratio_range'] == (0.5, 2.0)
    s4 = strength_transforms('S4', (64, 64))
    assert s4[0] == dict(type='DetectionRandAugment', num_ops=2, magnitude=10.0)
    late = strength_transforms('S2', (64, 64), augment_first=False)
    assert late[3]['type'] == 'DetectionAutoAugment' and late[0]['ratio_range'] == (0.8, 1.2)
    assert strength_transforms('S2', (64, 64), policy='imagenet-v0')[0]['type'] == 'AutoAugment'


# --- where the ops now follow the TF references (issue #34, item 3) ---

def test_posterize_at_level_0_keeps_one_bit_not_a_black_image():
    img = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    bits = policies.level_to_arg('Posterize', 0, AA)
    assert bits == 0
    out = ops.posterize(img, bits)
    assert out.any() and (out == (img & 128)).all()  # TF caps the shift at 7
    assert (ops.posterize(img, 1) == (img & 128)).all()


def test_solarize_at_level_10_inverts_the_whole_image():
    img = np.random.default_rng(1).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    threshold = policies.level_to_arg('Solarize', 10, AA)
    assert threshold == 256  # a uint8 in both references: wraps to 0
    assert (ops.solarize(img, threshold) == 255 - img).all()
    assert (ops.solarize(img, 0) == 255 - img).all()


def test_randaugment_geometric_ops_fill_by_reflection():
    """augment.py's transform() fills with fill_mode='reflect': the emptied left
    strip of a translated image holds the image mirrored about its left edge."""
    h, w, dx = 12, 20, 5
    img = np.tile(np.arange(w, dtype=np.uint8)[None, :, None] * 10, (h, 1, 3))
    sample = dict(img=img.copy(), img_shape=(h, w))
    ops.warp_results(sample, ops.translate_matrix(dx, 0), fill_mode='reflect')
    out = sample['img'][0, :, 0]
    assert out[dx:].tolist() == img[0, :w - dx, 0].tolist()
    assert out[:dx].tolist() == img[0, :dx, 0][::-1].tolist()  # e d c b a | a b c ...
    grey = dict(img=img.copy(), img_shape=(h, w))
    ops.warp_results(grey, ops.translate_matrix(dx, 0))  # AutoAugment: the reference's grey
    assert (grey['img'][:, :dx] == ops.REPLACE).all()
    assert DetectionRandAugment().hparams['fill_mode'] == 'reflect'
    assert DetectionRandAugment(fill_mode='constant').hparams['fill_mode'] == 'constant'
    with pytest.raises(ValueError, match='fill_mode'):
        DetectionRandAugment(fill_mode='wrap')


def test_randaugment_contrast_uses_per_channel_means():
    img = np.zeros((4, 4, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 40, 120, 200  # three different channel means
    img[0, 0] = (80, 160, 240)
    out = ops.contrast_per_channel(img, 0.0)  # factor 0: every pixel becomes its channel mean
    means = img.reshape(-1, 3).astype(np.float64).mean(0) / 255
    assert out.reshape(-1, 3).tolist() == [[int(m * 255.5) for m in means]] * 16
    assert (ops.contrast_per_channel(img, 1.0) == img).all()
    grey = ops.contrast(img, 0.0)  # AutoAugment's: one grey level for all three
    assert len(set(grey.reshape(-1).tolist())) == 1
    np.random.seed(0)
    sample = dict(img=img.copy(), img_shape=(4, 4))
    policies.apply_op(sample, 'Contrast', 1.0, 0.0, ops.RANDAUGMENT_HPARAMS)  # factor 0.1
    expected = ops.contrast_per_channel(img, policies.level_to_arg('Contrast', 0.0, AA))
    assert (sample['img'] == expected).all()
