#!/usr/bin/env python
"""Turn a self-supervised ResNet checkpoint into an mmdet ``ResNet`` init checkpoint.

    python tools/model_converters/ssl_to_mmdet.py SRC.pth OUT.pth \\
        [--layout auto|torchvision|moco|mocov3|dino|mmpretrain] [--depth 50]

Layouts (``auto`` recognises each by its keys):

* ``torchvision``: ``conv1.weight``, ``layer1.0.conv1.weight``, ... (BYOL
  conversions publish these; also DINO's plain backbone file);
* ``simclr``: the same names, converted from SimCLR's TF release, whose
  network takes RGB in [0, 1] without mean/std (never picked by ``auto``:
  name it);
* ``moco``: MoCo v1/v2, ``module.encoder_q.`` + torchvision names;
* ``mocov3``: MoCo v3, ``module.base_encoder.``;
* ``dino``: DINO's full checkpoint, ``teacher`` / ``student`` with ``backbone.``
  (``module.backbone.`` where it was saved from DDP);
* ``mmpretrain``: mmpretrain / mmselfsup, ``backbone.`` (mmcls ResNet names).

Every tensor of mmdet's ``ResNet(depth)`` must be found with its shape; heads
and projectors (``fc.``, ``head.``, ``neck.``, ``encoder_k.``, ...) are left
out and counted in one line. The output holds ``state_dict`` with the
backbone's own keys, for ``backbone.init_cfg=dict(type='SafePretrained',
checkpoint=OUT.pth)``, and ``meta.input_norm``: the ``data_preprocessor``
mean/std (RGB, 0-255 pixels) the layout's network was trained with, which the
tool prints too (``simclr``: mean 0, std 255; every other layout: ImageNet's).
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

PREFIXES = dict(torchvision=('',), moco=('module.encoder_q.', 'encoder_q.'),
                mocov3=('module.base_encoder.', 'base_encoder.'), mmpretrain=('backbone.',),
                dino=('backbone.', 'module.backbone.', '', 'module.'), simclr=('',))
AUTO = ('torchvision', 'moco', 'mocov3', 'mmpretrain', 'dino')  # simclr looks like torchvision
# what each layout's network expects as input, as an mmdet data_preprocessor (RGB, 0-255)
IMAGENET_NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])
UNIT_NORM = dict(mean=[0.0, 0.0, 0.0], std=[255.0, 255.0, 255.0])  # [0, 1] inputs


def input_norm(layout: str) -> dict:
    """The data_preprocessor mean/std the layout's network was trained with."""
    return dict(UNIT_NORM if layout == 'simclr' else IMAGENET_NORM, bgr_to_rgb=True)
# nested containers, searched in this order (DINO: the teacher is the one it evaluates)
CONTAINERS = ('state_dict', 'model', 'teacher', 'student')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('out')
    parser.add_argument('--layout', default='auto', choices=['auto', *PREFIXES])
    parser.add_argument('--depth', type=int, default=50, choices=[18, 34, 50, 101, 152])
    return parser.parse_args(argv)


def unwrap(ckpt: dict) -> dict:
    """The flat {name: tensor} dict inside a checkpoint."""
    for key in CONTAINERS:
        if isinstance(ckpt.get(key), dict):
            return unwrap(ckpt[key])
    return ckpt


def expected_keys(depth: int) -> dict:
    """{key: shape} of mmdet's ``ResNet(depth)`` (BN buffers included)."""
    from mmdet.models.backbones import ResNet
    return {k: tuple(v.shape) for k, v in ResNet(depth=depth).state_dict().items()}


def match(src: dict, expected: dict, prefixes) -> tuple:
    """(prefix, {key: tensor}) of the prefix that finds the most expected keys."""
    best = ('', {})
    for prefix in prefixes:
        found = {k: src[prefix + k] for k in expected if prefix + k in src}
        if len(found) > len(best[1]):
            best = (prefix, found)
    return best


def convert(src: dict, depth: int = 50, layout: str = 'auto', dino: bool = False):
    """Returns (state_dict, layout, prefix, left-out keys); UserInputError if incomplete.

    ``dino``: the file held DINO's ``teacher``/``student`` (names the layout).
    """
    from projects.utils import UserInputError
    expected = expected_keys(depth)
    layouts = list(AUTO) if layout == 'auto' else [layout]
    prefixes = [p for name in layouts for p in PREFIXES[name]]
    prefix, found = match(src, expected, prefixes)
    if layout == 'auto':
        layout = 'dino' if dino else next(n for n in AUTO if prefix in PREFIXES[n])
    missing = [k for k in expected if k not in found and not k.endswith('num_batches_tracked')]
    if missing:
        raise UserInputError(
            f'{len(missing)} of the {len(expected)} ResNet-{depth} tensors not found '
            f'(layout {layout}, prefix {prefix!r}): {", ".join(missing[:3])}...; '
            f'pass --layout or --depth')
    wrong = [k for k, v in found.items() if tuple(v.shape) != expected[k]]
    if wrong:
        k = wrong[0]
        raise UserInputError(f'{len(wrong)} tensors of the wrong shape, e.g. {prefix + k}: '
                             f'{tuple(found[k].shape)} instead of {expected[k]}; '
                             'is --depth right?')
    used = {prefix + k for k in found}
    left_out = sorted(k for k in src if k not in used)
    state = OrderedDict((k, found[k]) for k in expected if k in found)
    return state, layout, prefix, left_out


def main(argv=None):
    args = parse_args(argv)
    import torch

    from projects.fileio import atomic_save_checkpoint
    from projects.utils import UserInputError
    if not osp.isfile(args.src):
        raise UserInputError(f'checkpoint not found: {args.src}')
    from tools.lib.output_paths import check_output
    check_output(args.out, [args.src], 'OUT')
    try:
        ckpt = torch.load(args.src, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - a corrupt or unsafe file: one line
        raise UserInputError(f'cannot load {args.src} with weights_only=True: '
                             f'{str(e).splitlines()[0]}') from None
    src = unwrap(ckpt) if isinstance(ckpt, dict) else {}
    dino = isinstance(ckpt, dict) and ('teacher' in ckpt or 'student' in ckpt)
    state, layout, prefix, left_out = convert(src, args.depth, args.layout, dino)
    norm = input_norm(layout)
    atomic_save_checkpoint(dict(state_dict=state, meta=dict(
        source=osp.abspath(args.src), layout=layout, prefix=prefix, depth=args.depth,
        input_norm=norm)), args.out)
    print(f'{args.src}: layout {layout} (prefix {prefix!r}), {len(state)} ResNet-{args.depth} '
          f'tensors -> {args.out}')
    print(f'inputs: model.data_preprocessor mean={norm["mean"]} std={norm["std"]} (RGB)')
    if left_out:
        print(f'left out {len(left_out)} keys that are not backbone tensors: '
              f'{", ".join(left_out[:5])}{", ..." if len(left_out) > 5 else ""}')


if __name__ == '__main__':
    from tools.lib.cli import run_main
    run_main(main)
