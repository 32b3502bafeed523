"""The operations of the detection AutoAugment / RandAugment, in numpy.

Our implementation of the op set of "Learning Data Augmentation Strategies
for Object Detection" (Zoph, Cubuk et al. 2019), following the semantics of
the TensorFlow TPU reference (``models/official/detection/utils/
autoaugment_utils.py``) and of the TF Model Garden's detection RandAugment
(``official/vision/ops/augment.py``, ``RandAugment.build_for_detection``).

An op works on an mmdet results dict: ``img`` (H, W, 3) uint8 in mmcv's BGR
order, and where present ``gt_bboxes`` (N, 4) xyxy pixels (``HorizontalBoxes``
or ndarray), ``gt_bboxes_labels``, ``gt_ignore_flags``, ``gt_masks``
(``BitmapMasks`` / ``PolygonMasks``) and ``gt_seg_map`` (H, W).

Differences from the reference, on purpose:
    * a box pushed out of the image is dropped with its label and mask (the
      reference keeps it as a 5%-of-image sliver at the border);
    * ``Contrast`` (AutoAugment) blends towards the mean grey level, as PIL does
      (the reference's mean is pixel count / 256); RandAugment's uses
      per-channel means, as ``augment.py``'s ``tf.image.adjust_contrast`` does
      (:func:`contrast_per_channel`);
    * a box's pixel region is every pixel it overlaps (the reference
      truncates the far edge and adds one pixel).
"""
import math
from typing import Callable, Dict, Optional

import cv2
import numpy as np
from mmdet.structures.mask import BitmapMasks, PolygonMasks

MAX_LEVEL = 10.0  # the reference's _MAX_LEVEL: level 10 is full strength
REPLACE = 128  # fill of emptied pixels (the reference's replace_value)
SEG_IGNORE = 255

# hyper-parameters of the reference's detection AutoAugment ...
AUTOAUGMENT_HPARAMS = dict(cutout_const=100, translate_const=250, cutout_bbox_const=50,
                           translate_bbox_const=120, cutout_max_pad_fraction=0.75)
# ... and of the Model Garden's detection RandAugment (augment.py: its transform()
# fills by reflection, its contrast is tf.image.adjust_contrast's per-channel one)
RANDAUGMENT_HPARAMS = dict(cutout_const=40, translate_const=100, cutout_bbox_const=50,
                           translate_bbox_const=120, cutout_max_pad_fraction=0.75,
                           fill_mode='reflect', contrast='per_channel')


# ---------------------------------------------------------------- pixel ops
def blend(img1: np.ndarray, img2: np.ndarray, factor: float) -> np.ndarray:
    """``img1 + factor * (img2 - img1)``, clipped to uint8 (0: img1, 1: img2)."""
    out = img1.astype(np.float32) + factor * (img2.astype(np.float32) - img1)
    return np.clip(out, 0, 255).astype(np.uint8)


def _grey(img: np.ndarray) -> np.ndarray:
    """(H, W) luma of a BGR image, rounded."""
    b, g, r = (img[..., i].astype(np.float32) for i in range(3))
    return np.round(0.2989 * r + 0.5870 * g + 0.1140 * b).clip(0, 255).astype(np.uint8)


def color(img, factor):
    return blend(np.repeat(_grey(img)[..., None], 3, axis=2), img, factor)


def contrast(img, factor):
    """The TPU AutoAugment's contrast: blend towards one grey level, the luma mean."""
    mean = float(_grey(img).mean()) if img.size else 0.0
    return blend(np.full_like(img, int(mean)), img, factor)


def contrast_per_channel(img, factor):
    """``tf.image.adjust_contrast``, as the Model Garden's RandAugment applies it
    (``official/vision/ops/augment.py``): each channel moves away from its own
    mean, ``(x - mean_c) * factor + mean_c`` in [0, 1] floats, then back to uint8
    as ``convert_image_dtype`` does (x 255.5, saturating truncation)."""
    if not img.size:
        return img
    flt = img.astype(np.float32) / 255.0
    mean = flt.reshape(-1, img.shape[-1]).mean(0)
    out = (flt - mean) * np.float32(factor) + mean
    return np.clip(out * 255.5, 0, 255).astype(np.uint8)


def brightness(img, factor):
    return blend(np.zeros_like(img), img, factor)


def sharpness(img, factor):
    if min(img.shape[:2]) < 3:
        return img
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13.0
    smooth = cv2.filter2D(img.astype(np.float32), -1, kernel, borderType=cv2.BORDER_REPLICATE)
    smooth = np.clip(smooth, 0, 255).astype(np.uint8)
    smooth[0, :], smooth[-1, :], smooth[:, 0], smooth[:, -1] = \
        img[0, :], img[-1, :], img[:, 0], img[:, -1]  # borders keep the original
    return blend(smooth, img, factor)


def _equalize_channel(ch: np.ndarray) -> np.ndarray:
    hist = np.bincount(ch.ravel(), minlength=256)
    nonzero = hist[hist > 0]
    step = (nonzero.sum() - nonzero[-1]) // 255 if len(nonzero) else 0
    if step == 0:
        return ch
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[ch]


def equalize(img):
    return np.stack([_equalize_channel(img[..., c]) for c in range(3)], axis=2)


def autocontrast(img):
    out = img.copy()
    for c in range(3):
        lo, hi = float(img[..., c].min()), float(img[..., c].max())
        if hi > lo:
            scaled = (img[..., c].astype(np.float32) - lo) * (255.0 / (hi - lo))
            out[..., c] = np.clip(scaled, 0, 255).astype(np.uint8)
    return out


def invert(img):
    return 255 - img


def posterize(img, bits):
    """Keep the ``bits`` high bits; at least one, as TF's capped shift does (0 bits
    keeps ``img & 128``: the image is not turned black)."""
    shift = min(8 - int(bits), 7)
    return np.left_shift(np.right_shift(img, shift), shift).astype(np.uint8)


def solarize(img, threshold=128):
    """Invert the pixels at or above ``threshold``. The threshold is a uint8 in both
    references, so 256 (level 10) wraps to 0 and inverts the whole image."""
    threshold = np.uint8(int(threshold) % 256)
    return np.where(img < threshold, img, 255 - img).astype(np.uint8)


def solarize_add(img, addition=0, threshold=128):
    added = np.clip(img.astype(np.int32) + addition, 0, 255).astype(np.uint8)
    return np.where(img < threshold, added, img)


def cutout(img, pad_size, replace=REPLACE, center=None):
    """Fill a (2 pad_size)^2 square (clipped) around a random centre."""
    h, w = img.shape[:2]
    cy, cx = center if center is not None else (np.random.randint(h), np.random.randint(w))
    out = img.copy()
    out[max(0, cy - pad_size):cy + pad_size, max(0, cx - pad_size):cx + pad_size] = replace
    return out


def flip_lr(img):
    return img[:, ::-1].copy()


# ------------------------------------------------------------ affine warps
def translate_matrix(dx: float, dy: float) -> np.ndarray:
    """2x3 forward map: content moves by (dx, dy) pixels."""
    return np.array([[1, 0, dx], [0, 1, dy]], np.float64)


def shear_matrix(level: float, horizontal: bool) -> np.ndarray:
    """x' = x - level * y (horizontal) or y' = y - level * x, as the reference."""
    if horizontal:
        return np.array([[1, -level, 0], [0, 1, 0]], np.float64)
    return np.array([[1, 0, 0], [-level, 1, 0]], np.float64)


def rotate_matrix(degrees: float, height: int, width: int) -> np.ndarray:
    """Counter-clockwise rotation (as displayed) about the image centre."""
    return cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), degrees, 1.0)


FILL_MODES = {'constant': cv2.BORDER_CONSTANT, 'reflect': cv2.BORDER_REFLECT}


def warp(arr: np.ndarray, matrix: np.ndarray, fill, fill_mode: str = 'constant') -> np.ndarray:
    """Nearest-neighbour warp of an (H, W[, C]) array. Emptied pixels get ``fill``
    (``fill_mode='constant'``) or the image mirrored about its edge pixels
    (``'reflect'``: ``d c b a | a b c d | d c b a``, TF's ``fill_mode='reflect'``)."""
    h, w = arr.shape[:2]
    if arr.ndim == 3:
        fill = (fill,) * arr.shape[2] if np.isscalar(fill) else tuple(fill)
    out = cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_NEAREST,
                         borderMode=FILL_MODES[fill_mode], borderValue=fill)
    return out.reshape(arr.shape)


def image_warp_op(make_matrix: Callable[[int, int], np.ndarray]):
    """A pixel op (for boxes' contents) from a matrix of (height, width)."""
    def op(img, *args):
        return warp(img, make_matrix(img.shape[0], img.shape[1], *args), REPLACE)
    return op


def _warp_masks(masks, matrix, height, width):
    if isinstance(masks, BitmapMasks):
        arr = masks.masks
        new = np.stack([warp(m, matrix, 0) for m in arr]) if len(arr) else arr
        return BitmapMasks(new, height, width)
    new = []
    for poly_list in masks.masks:
        polys = []
        for p in poly_list:
            xy = p.reshape(-1, 2) @ matrix[:, :2].T + matrix[:, 2]
            xy[:, 0] = xy[:, 0].clip(0, width)
            xy[:, 1] = xy[:, 1].clip(0, height)
            polys.append(xy.reshape(-1).astype(p.dtype))
        new.append(polys)
    return PolygonMasks(new, height, width)


def get_boxes(results) -> Optional[np.ndarray]:
    boxes = results.get('gt_bboxes')
    if boxes is None:
        return None
    arr = boxes.numpy() if hasattr(boxes, 'numpy') else np.asarray(boxes)
    return arr.reshape(-1, 4).astype(np.float32)


def set_boxes(results, arr: np.ndarray) -> None:
    boxes = results['gt_bboxes']
    results['gt_bboxes'] = type(boxes)(arr) if hasattr(boxes, 'tensor') else arr


def keep_instances(results, keep: np.ndarray) -> None:
    """Keep the instances where ``keep`` is True, in every per-instance key."""
    idx = np.flatnonzero(keep)
    for key in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags', 'gt_masks'):
        if key in results:
            results[key] = results[key][idx]


def warp_boxes(boxes: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(N, 4) enclosing boxes of the warped corners of (N, 4) xyxy boxes."""
    x1, y1, x2, y2 = boxes.T
    corners = np.stack([np.stack([x1, y1], 1), np.stack([x2, y1], 1),
                        np.stack([x1, y2], 1), np.stack([x2, y2], 1)], 1)  # (N, 4, 2)
    moved = corners @ matrix[:, :2].T + matrix[:, 2]
    return np.concatenate([moved.min(1), moved.max(1)], 1).astype(np.float32)


def warp_results(results, matrix: np.ndarray, replace=REPLACE, min_size: float = 1.0,
                 fill_mode: str = 'constant') -> None:
    """Move the image, boxes, masks and segmentation map by one affine map.

    Boxes become the enclosing boxes of their moved corners, clipped to the
    image; a box left narrower or lower than ``min_size`` pixels (pushed
    out of the image) is dropped with its label, flag and mask. ``fill_mode``
    fills the image's emptied pixels (see :func:`warp`); masks stay empty and
    the segmentation map gets ``SEG_IGNORE`` there whatever the mode.
    """
    img = results['img']
    h, w = img.shape[:2]
    results['img'] = warp(img, matrix, replace, fill_mode)
    if 'gt_seg_map' in results:
        results['gt_seg_map'] = warp(results['gt_seg_map'], matrix, SEG_IGNORE)
    if results.get('gt_masks') is not None:
        results['gt_masks'] = _warp_masks(results['gt_masks'], matrix, h, w)
    boxes = get_boxes(results)
    if boxes is None:
        return
    boxes = warp_boxes(boxes, matrix)
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
    set_boxes(results, boxes)
    keep = ((boxes[:, 2] - boxes[:, 0]) >= min_size) & ((boxes[:, 3] - boxes[:, 1]) >= min_size)
    if not keep.all():
        keep_instances(results, keep)


# ------------------------------------------------------------ box-only ops
def box_region(box: np.ndarray, height: int, width: int):
    """Integer slice bounds (y0, y1, x0, x1) of the pixels a box overlaps."""
    x0, y0 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x1, y1 = min(width, int(math.ceil(box[2]))), min(height, int(math.ceil(box[3])))
    return y0, y1, x0, x1


def apply_inside_boxes(results, prob: float, op: Callable, *args) -> None:
    """Apply a pixel op to each box's contents with probability ``prob / 3``.

    The reference divides the sub-policy's probability by 3 for box-only
    ops, so that crowded boxes are not all distorted; boxes are visited in
    random order (later boxes see earlier boxes' changes where they overlap).
    Boxes, masks and labels are unchanged.
    """
    boxes = get_boxes(results)
    if boxes is None or not len(boxes):
        return
    img = results['img']
    h, w = img.shape[:2]
    for i in np.random.permutation(len(boxes)):
        if np.random.rand() >= prob / 3.0:
            continue
        y0, y1, x0, x1 = box_region(boxes[i], h, w)
        if y1 > y0 and x1 > x0:
            img[y0:y1, x0:x1] = op(img[y0:y1, x0:x1].copy(), *args)
    results['img'] = img


def bbox_cutout(results, pad_fraction: float, replace=REPLACE) -> None:
    """Cut out a square of ``pad_fraction`` of one random box's size, centred in it."""
    boxes = get_boxes(results)
    if boxes is None or not len(boxes):
        return
    img = results['img']
    h, w = img.shape[:2]
    y0, y1, x0, x1 = box_region(boxes[np.random.randint(len(boxes))], h, w)
    if y1 <= y0 or x1 <= x0:
        return
    pad_h, pad_w = int(pad_fraction * (y1 - y0) / 2), int(pad_fraction * (x1 - x0) / 2)
    cy, cx = np.random.randint(y0, y1), np.random.randint(x0, x1)
    img = img.copy()
    img[max(0, cy - pad_h):cy + pad_h, max(0, cx - pad_w):cx + pad_w] = replace
    results['img'] = img


PIXEL_OPS: Dict[str, Callable] = {
    'AutoContrast': autocontrast, 'Equalize': equalize, 'Invert': invert,
    'Posterize': posterize, 'Solarize': solarize, 'SolarizeAdd': solarize_add,
    'Color': color, 'Contrast': contrast, 'Brightness': brightness,
    'Sharpness': sharpness, 'Cutout': cutout,
}
# the contents-only versions the *_Only_BBoxes ops apply inside a box
INSIDE_BOX_OPS: Dict[str, Callable] = {
    'Rotate': image_warp_op(lambda h, w, deg: rotate_matrix(deg, h, w)),
    'ShearX': image_warp_op(lambda h, w, lvl: shear_matrix(lvl, True)),
    'ShearY': image_warp_op(lambda h, w, lvl: shear_matrix(lvl, False)),
    'TranslateX': image_warp_op(lambda h, w, px: translate_matrix(px, 0)),
    'TranslateY': image_warp_op(lambda h, w, px: translate_matrix(0, px)),
    'Flip': flip_lr, 'Solarize': solarize, 'Equalize': equalize, 'Cutout': cutout,
}
