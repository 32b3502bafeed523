#!/usr/bin/env python
"""How far our AutoAugment ``Contrast`` is from the TPU reference's, in grey levels.

    python tools/analysis_tools/contrast_reference_diff.py IMG_DIR [--images 20]
        [--levels 2 5 10]

The TPU reference (``autoaugment_utils.py``) blends towards a "mean" that is
the pixel count / 256, clipped to 255 (white on any image over 255 x 256
pixels); ours blends towards the image's mean grey level. Prints, per level,
the mean and the largest absolute difference of the two outputs over the
first ``--images`` images of IMG_DIR (sorted by name).
"""
import argparse
import glob
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

from projects.utils import UserInputError  # noqa: E402
from tools.lib.cli import run_main  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('img_dir')
    parser.add_argument('--images', type=int, default=20)
    parser.add_argument('--levels', type=float, nargs='+', default=[2, 5, 10])
    return parser.parse_args(argv)


def reference_contrast(img, factor):
    """The TPU reference's contrast: the degenerate image is min(pixels / 256, 255)."""
    import numpy as np

    from projects.datasets.transforms import box_augment_ops as ops
    level = min(ops._grey(img).size / 256.0, 255.0)
    return ops.blend(np.full_like(img, int(level)), img, factor)


def differences(images, levels):
    """{level: (mean, max)} absolute difference of our contrast and the reference's."""
    import numpy as np

    from projects.datasets.transforms import box_augment_ops as ops
    from projects.datasets.transforms.detection_policies import level_to_arg
    out = {}
    for level in levels:
        factor = level_to_arg('Contrast', level, ops.AUTOAUGMENT_HPARAMS)
        diffs = [np.abs(ops.contrast(im, factor).astype(int) -
                        reference_contrast(im, factor).astype(int)) for im in images]
        out[level] = (float(np.mean([d.mean() for d in diffs])), int(max(d.max() for d in diffs)))
    return out


def main(argv=None):
    args = parse_args(argv)
    import cv2
    paths = sorted(p for p in glob.glob(osp.join(args.img_dir, '*'))
                   if p.lower().endswith(('.jpg', '.jpeg', '.png')))[:args.images]
    if not paths:
        raise UserInputError(f'no .jpg/.png image in {args.img_dir}')
    images = [cv2.imread(p) for p in paths]
    for level, (mean, top) in differences(images, args.levels).items():
        print(f'level {level:g}: mean |diff| {mean:.1f}, max {top} grey levels '
              f'({len(images)} images)')


if __name__ == '__main__':
    run_main(main)
