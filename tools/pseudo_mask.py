#!/usr/bin/env python
"""Pseudo masks for semantic segmentation with a trained segmentor (teacher).

    python tools/pseudo_mask.py CONFIG CHECKPOINT --img-dir DIR --out-dir DIR \\
        [--scales 0.5 0.75 1.0 1.25 1.5 1.75] [--flip] [--conf-thr 0.5] [--launcher pytorch]
    tools/dist_pseudo_mask.sh CONFIG CHECKPOINT GPUS ...

Writes ``OUT_DIR/<image stem>.png``, one palette PNG per image: the class of
the highest probability averaged over the scales (and flips), or 255
(ignore) where that probability is below ``--conf-thr`` (Zoph et al.: 0.5).
``OUT_DIR/summary.json`` gets the per-class pixel share, the ignored share
and the unreadable images, which are skipped and listed, never fatal. With
several processes every image is labelled once; a rerun skips images whose
PNG exists (each PNG is written atomically).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


from projects.utils import UserInputError, load_config  # noqa: E402
from projects.utils.score_thresholds import DEFAULT_SCORE_THR  # noqa: E402
from projects.utils.unreadable_images import (DEFAULT_MAX_BAD_IMAGES,  # noqa: E402
                                              parse_max_bad_images)
from tools.lib.cli import CfgOptionsAction, run_main  # noqa: E402
from tools.lib.output_paths import check_output  # noqa: E402

SCALES = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Pseudo masks from a segmentor')
    parser.add_argument('config', help='teacher config (mmseg)')
    parser.add_argument('checkpoint', help='teacher checkpoint')
    parser.add_argument('--img-dir', required=True, help='folder of unlabelled images')
    parser.add_argument('--out-dir', required=True, help='folder for the PNG masks')
    parser.add_argument('--scales', type=float, nargs='+', default=SCALES,
                        help=f'image resize factors (default {SCALES})')
    parser.add_argument('--flip', action='store_true', help='also average flipped views')
    parser.add_argument('--conf-thr', type=float, default=DEFAULT_SCORE_THR,
                        help='pixels below this maximum probability become 255')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    parser.add_argument('--restart', action='store_true',
                        help='discard the records an interrupted run left in OUT_DIR')
    parser.add_argument('--max-bad-images', type=parse_max_bad_images,
                        default=DEFAULT_MAX_BAD_IMAGES,
                        help='unreadable images tolerated: a fraction (default '
                        f'{DEFAULT_MAX_BAD_IMAGES}, as training) or a count')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if not 0 <= args.conf_thr <= 1:
        parser.error('--conf-thr must be in [0, 1]')
    if any(s <= 0 for s in args.scales):
        parser.error('--scales must be > 0')
    check_output(args.out_dir, [args.config, args.checkpoint, args.img_dir], '--out-dir', 'dir')
    return args


def build_teacher(args):
    """(model, class names, palette) of the segmentation teacher."""
    import torch
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS, MODELS
    from projects.apis.inference import load_model_checkpoint
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    ckpt = load_model_checkpoint(model, args.checkpoint, args.config)
    meta = (ckpt.get('meta') or {}).get('dataset_meta') or {}
    dataset = cfg.test_dataloader.dataset
    default = getattr(DATASETS.get(dataset.type), 'METAINFO', {})
    meta = {**default, **(dataset.get('metainfo') or {}), **meta}
    if not meta.get('classes'):
        raise UserInputError(f'{args.checkpoint}: no class names in the checkpoint meta '
                             f'nor in {args.config}')
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return model.to(device).eval(), list(meta['classes']), meta.get('palette')


def logits_fn(model):
    """(h, w, 3) BGR image -> (C, h, w) logits of ``model``."""
    import torch
    from mmseg.structures import SegDataSample

    def run(img):
        h, w = img.shape[:2]
        sample = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        data = model.data_preprocessor(dict(
            inputs=[torch.from_numpy(img.transpose(2, 0, 1).copy())], data_samples=[sample]))
        logits = model.encode_decode(data['inputs'], [sample.metainfo])
        return logits[0, :, :h, :w]
    return run


def save_png(mask, palette, path):
    """Palette PNG, written atomically (temp file, then rename)."""
    from PIL import Image
    png = Image.fromarray(mask, mode='P')
    flat = [v for c in (palette or []) for v in c]
    png.putpalette(flat + [0] * (768 - len(flat)))
    from projects.utils.io import atomic_output
    with atomic_output(path, '.part') as tmp:  # not *.png: a failed write never looks like a mask
        png.save(tmp, format='PNG')


def predict_masks(args, model, palette, images, out):
    """Write each image's mask PNG; one record per image (``error`` if unreadable)."""
    import mmcv
    import torch
    from projects.apis.pseudo_mask import average_probs, pseudo_mask
    run = logits_fn(model)
    with torch.no_grad():
        for im in images:
            img = mmcv.imread(osp.join(args.img_dir, im['file_name']), backend='cv2')
            if img is None or img.ndim != 3:  # None if unreadable
                yield dict(image=im, error='unreadable image')
                continue
            mask = pseudo_mask(average_probs(run, img, args.scales, args.flip), args.conf_thr)
            os.makedirs(osp.dirname(out(im)), exist_ok=True)
            save_png(mask, palette, out(im))
            yield dict(image=im)


def write_summary(args, images, skipped, classes, out) -> str:
    """OUT_DIR/summary.json (atomically); returns the summary line."""
    import mmcv
    from projects.apis.pseudo_mask import pixel_shares
    from projects.utils.io import atomic_write_json
    done = [im for im in images if osp.exists(out(im))]
    masks = (mmcv.imread(out(im), flag='unchanged', backend='pillow') for im in done)
    shares = pixel_shares(masks, len(classes))
    summary = dict(teacher_config=args.config, teacher_checkpoint=args.checkpoint,
                   scales=args.scales, flip=args.flip, conf_thr=args.conf_thr,
                   images=len(done), skipped=[s['file_name'] for s in skipped],
                   classes=classes, class_share=dict(zip(classes, shares['class_share'])),
                   ignored_share=shares['ignored_share'], pixels=shares['pixels'])
    atomic_write_json(summary, osp.join(args.out_dir, 'summary.json'), indent=1)
    lines = [f'{args.out_dir}: {len(done)} masks, {shares["ignored_share"]:.1%} of pixels '
             f'ignored (< {args.conf_thr}), {len(skipped)} unreadable skipped']
    lines += [f'  {name:>20s}: {share:.1%}' for name, share in summary['class_share'].items()]
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    from projects.apis.offline_label_run import OfflineLabelRun
    from projects.utils.fingerprint import file_signature, images_signature
    from projects.utils.image_folder import list_image_folder

    os.makedirs(args.out_dir, exist_ok=True)
    run = OfflineLabelRun(osp.join(args.out_dir, '.records'), args.launcher,
                          restart=args.restart)
    # records keyed by file name: a PNG written before a kill counts as done
    images = [dict(id=im['file_name'], file_name=im['file_name'])
              for im in list_image_folder(args.img_dir)]
    run.claim(dict(tool='pseudo_mask', images=images_signature(images, args.img_dir),
                   config=file_signature(args.config), checkpoint=file_signature(args.checkpoint),
                   cfg_options=args.cfg_options, scales=args.scales, flip=args.flip,
                   conf_thr=args.conf_thr))

    def out(im):
        return osp.join(args.out_dir, osp.splitext(im['file_name'])[0] + '.png')

    def done(im):
        return osp.exists(out(im))

    todo = run.share(images, done)
    model, classes, palette = build_teacher(args)
    run.label(predict_masks(args, model, palette, todo, out), len(todo))
    merged = run.merge(images, done, max_bad_images=args.max_bad_images)
    if merged:
        skipped = merged[1]
        run.finish(write_summary(args, images, skipped, classes, out), skipped)


if __name__ == '__main__':
    run_main(main)
