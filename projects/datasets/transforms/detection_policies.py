"""Detection AutoAugment policies and the level-to-argument mapping.

Policies v0-v3 are those of "Learning Data Augmentation Strategies for
Object Detection" (Zoph, Cubuk et al. 2019) as published in the TensorFlow
TPU reference (``autoaugment_utils.py``, ``policy_v0`` ... ``policy_v3``);
v0 is the policy of that paper's results and the one Zoph et al. (2020)
use for S2/S3. Each sub-policy is a list of ``(op, probability, level)``
with levels on the reference's 0-``MAX_LEVEL`` (10) scale.
"""
import numpy as np

from .box_augment_ops import (INSIDE_BOX_OPS, MAX_LEVEL, PIXEL_OPS, REPLACE, contrast_per_channel,
                              apply_inside_boxes, bbox_cutout, rotate_matrix, shear_matrix,
                              translate_matrix, warp_results)

POLICIES = {
    'v0': [
        [('TranslateX_BBox', 0.6, 4), ('Equalize', 0.8, 10)],
        [('TranslateY_Only_BBoxes', 0.2, 2), ('Cutout', 0.8, 8)],
        [('Sharpness', 0.0, 8), ('ShearX_BBox', 0.4, 0)],
        [('ShearY_BBox', 1.0, 2), ('TranslateY_Only_BBoxes', 0.6, 6)],
        [('Rotate_BBox', 0.6, 10), ('Color', 1.0, 6)],
    ],
    'v1': [
        [('TranslateX_BBox', 0.6, 4), ('Equalize', 0.8, 10)],
        [('TranslateY_Only_BBoxes', 0.2, 2), ('Cutout', 0.8, 8)],
        [('Sharpness', 0.0, 8), ('ShearX_BBox', 0.4, 0)],
        [('ShearY_BBox', 1.0, 2), ('TranslateY_Only_BBoxes', 0.6, 6)],
        [('Rotate_BBox', 0.6, 10), ('Color', 1.0, 6)],
        [('Color', 0.0, 0), ('ShearX_Only_BBoxes', 0.8, 4)],
        [('ShearY_Only_BBoxes', 0.8, 2), ('Flip_Only_BBoxes', 0.0, 10)],
        [('Equalize', 0.6, 10), ('TranslateX_BBox', 0.2, 2)],
        [('Color', 1.0, 10), ('TranslateY_Only_BBoxes', 0.4, 6)],
        [('Rotate_BBox', 0.8, 10), ('Contrast', 0.0, 10)],
        [('Cutout', 0.2, 2), ('Brightness', 0.8, 10)],
        [('Color', 1.0, 6), ('Equalize', 1.0, 2)],
        [('Cutout_Only_BBoxes', 0.4, 6), ('TranslateY_Only_BBoxes', 0.8, 2)],
        [('Color', 0.2, 8), ('Rotate_BBox', 0.8, 10)],
        [('Sharpness', 0.4, 4), ('TranslateY_Only_BBoxes', 0.0, 4)],
        [('Sharpness', 1.0, 4), ('SolarizeAdd', 0.4, 4)],
        [('Rotate_BBox', 1.0, 8), ('Sharpness', 0.2, 8)],
        [('ShearY_BBox', 0.6, 10), ('Equalize_Only_BBoxes', 0.6, 8)],
        [('ShearX_BBox', 0.2, 6), ('TranslateY_Only_BBoxes', 0.2, 10)],
        [('SolarizeAdd', 0.6, 8), ('Brightness', 0.8, 10)],
    ],
    'v2': [
        [('Color', 0.0, 6), ('Cutout', 0.6, 8), ('Sharpness', 0.4, 8)],
        [('Rotate_BBox', 0.4, 8), ('Sharpness', 0.4, 2), ('Rotate_BBox', 0.8, 10)],
        [('TranslateY_BBox', 1.0, 8), ('AutoContrast', 0.8, 2)],
        [('AutoContrast', 0.4, 6), ('ShearX_BBox', 0.8, 8), ('Brightness', 0.0, 10)],
        [('SolarizeAdd', 0.2, 6), ('Contrast', 0.0, 10), ('AutoContrast', 0.6, 0)],
        [('Cutout', 0.2, 0), ('Solarize', 0.8, 8), ('Color', 1.0, 4)],
        [('TranslateY_BBox', 0.0, 4), ('Equalize', 0.6, 8), ('Solarize', 0.0, 10)],
        [('TranslateY_BBox', 0.2, 2), ('ShearY_BBox', 0.8, 8), ('Rotate_BBox', 0.8, 8)],
        [('Cutout', 0.8, 8), ('Brightness', 0.8, 8), ('Cutout', 0.2, 2)],
        [('Color', 0.8, 4), ('TranslateY_BBox', 1.0, 6), ('Rotate_BBox', 0.6, 6)],
        [('Rotate_BBox', 0.6, 10), ('BBox_Cutout', 1.0, 4), ('Cutout', 0.2, 8)],
        [('Rotate_BBox', 0.0, 0), ('Equalize', 0.6, 6), ('ShearY_BBox', 0.6, 8)],
        [('Brightness', 0.8, 8), ('AutoContrast', 0.4, 2), ('Brightness', 0.2, 2)],
        [('TranslateY_BBox', 0.4, 8), ('Solarize', 0.4, 6), ('SolarizeAdd', 0.2, 10)],
        [('Contrast', 1.0, 10), ('SolarizeAdd', 0.2, 8), ('Equalize', 0.2, 4)],
    ],
    'v3': [
        [('Posterize', 0.8, 2), ('TranslateX_BBox', 1.0, 8)],
        [('BBox_Cutout', 0.2, 10), ('Sharpness', 1.0, 8)],
        [('Rotate_BBox', 0.6, 8), ('Rotate_BBox', 0.8, 10)],
        [('Equalize', 0.8, 10), ('AutoContrast', 0.2, 10)],
        [('SolarizeAdd', 0.2, 2), ('TranslateY_BBox', 0.2, 8)],
        [('Sharpness', 0.0, 2), ('Color', 0.4, 8)],
        [('Equalize', 1.0, 8), ('TranslateY_BBox', 1.0, 8)],
        [('Posterize', 0.6, 2), ('Rotate_BBox', 0.0, 10)],
        [('AutoContrast', 0.6, 0), ('Rotate_BBox', 1.0, 6)],
        [('Equalize', 0.0, 4), ('Cutout', 0.8, 10)],
        [('Brightness', 1.0, 2), ('TranslateY_BBox', 1.0, 6)],
        [('Contrast', 0.0, 2), ('ShearY_BBox', 0.8, 0)],
        [('AutoContrast', 0.8, 10), ('Contrast', 0.2, 10)],
        [('Rotate_BBox', 1.0, 10), ('Cutout', 1.0, 10)],
        [('SolarizeAdd', 0.8, 6), ('Equalize', 0.8, 8)],
    ],
}

# the Model Garden's detection RandAugment op list (its classification list
# with the geometric ops replaced by their box-moving versions)
RANDAUGMENT_OPS = (
    'AutoContrast', 'Equalize', 'Invert', 'Rotate_BBox', 'Posterize', 'Solarize', 'Color',
    'Contrast', 'Brightness', 'Sharpness', 'ShearX_BBox', 'ShearY_BBox', 'TranslateX_BBox',
    'TranslateY_BBox', 'Cutout', 'SolarizeAdd')


def _signed(value: float) -> float:
    """The reference negates rotations, shears and translations half the time."""
    return -value if np.random.rand() < 0.5 else value


def level_to_arg(name: str, level: float, hparams: dict):
    """The op's argument at ``level`` (0-10), mapped as the reference maps it.

    Rotate: level/10 x 30 degrees; Shear: level/10 x 0.3; Translate:
    level/10 x translate_const px (translate_bbox_const inside boxes), each
    with a random sign; Color/Contrast/Brightness/Sharpness: level/10 x 1.8 +
    0.1; Posterize: int(level/10 x 4) bits; Solarize: int(level/10 x 256);
    SolarizeAdd: int(level/10 x 110); Cutout: int(level/10 x cutout_const)
    px half-size (cutout_bbox_const inside boxes); BBox_Cutout: level/10 x
    cutout_max_pad_fraction of the box.
    """
    base = name.replace('_Only_BBoxes', '').replace('_BBox', '')
    frac = level / MAX_LEVEL
    inside = name.endswith('_Only_BBoxes')
    if base == 'Rotate':
        return _signed(frac * 30.0)
    if base in ('ShearX', 'ShearY'):
        return _signed(frac * 0.3)
    if base in ('TranslateX', 'TranslateY'):
        return _signed(frac * hparams['translate_bbox_const' if inside else 'translate_const'])
    if base in ('Color', 'Contrast', 'Brightness', 'Sharpness'):
        return frac * 1.8 + 0.1
    if base == 'Posterize':
        return int(frac * 4)
    if base == 'Solarize':
        return int(frac * 256)
    if base == 'SolarizeAdd':
        return int(frac * 110)
    if base == 'Cutout':
        return int(frac * hparams['cutout_bbox_const' if inside else 'cutout_const'])
    if name == 'BBox_Cutout':
        return frac * hparams['cutout_max_pad_fraction']
    return None  # AutoContrast, Equalize, Invert, Flip: no argument


def _whole_image_matrix(name: str, arg: float, height: int, width: int):
    if name == 'Rotate_BBox':
        return rotate_matrix(arg, height, width)
    if name in ('ShearX_BBox', 'ShearY_BBox'):
        return shear_matrix(arg, name == 'ShearX_BBox')
    return translate_matrix(arg, 0) if name == 'TranslateX_BBox' else translate_matrix(0, arg)


def apply_op(results: dict, name: str, prob: float, level: float, hparams: dict) -> dict:
    """Apply one op of a sub-policy (with its probability) to ``results``.

    Box-only ops take ``prob`` per box (divided by 3, as the reference does);
    every other op is applied with probability ``prob``.
    """
    if name not in OP_NAMES:
        raise ValueError(f'unknown detection augmentation op {name!r}')
    if name.endswith('_Only_BBoxes'):
        base = name[:-len('_Only_BBoxes')]
        arg = level_to_arg(name, level, hparams)
        args = () if arg is None else (arg,)
        apply_inside_boxes(results, prob, INSIDE_BOX_OPS[base], *args)
        return results
    if np.random.rand() >= prob:
        return results
    arg = level_to_arg(name, level, hparams)
    if name == 'BBox_Cutout':
        bbox_cutout(results, arg)
    elif name.endswith('_BBox'):
        h, w = results['img'].shape[:2]
        warp_results(results, _whole_image_matrix(name, arg, h, w), REPLACE,
                     fill_mode=hparams.get('fill_mode', 'constant'))
    else:
        op = PIXEL_OPS[name]
        if name == 'Contrast' and hparams.get('contrast') == 'per_channel':
            op = contrast_per_channel
        results['img'] = op(results['img'], *(() if arg is None else (arg,)))
    return results


OP_NAMES = frozenset(
    list(PIXEL_OPS) + ['BBox_Cutout', 'Rotate_BBox', 'ShearX_BBox', 'ShearY_BBox',
                       'TranslateX_BBox', 'TranslateY_BBox']
    + [f'{base}_Only_BBoxes' for base in INSIDE_BOX_OPS])
