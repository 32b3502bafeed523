#!/usr/bin/env python
"""Pseudo-label unlabelled images with a trained detector (the teacher).

    python tools/pseudo_label.py CONFIG CHECKPOINT \\
        (--img-dir DIR | --ann-file UNLABELED.json --img-prefix DIR) --out PSEUDO.json \\
        [--score-thr 0.5 | --score-thr T1 T2 ... (one per class) |
         --score-thr auto --holdout-ann LABELLED.json --holdout-prefix DIR [--target-precision 0.8]]
        [--tta] [--batch-size B] [--launcher pytorch]
    tools/dist_pseudo_label.sh CONFIG CHECKPOINT GPUS ...

Writes a COCO json: ``images`` with their real size, the teacher's
``categories`` and ``annotations`` with ``bbox`` (xywh), ``score``,
``category_id`` and RLE ``segmentation`` for mask models. Images without a box
above the threshold stay in the file as negatives. Unreadable images are
skipped and listed. With several processes every image is labelled exactly
once; an interrupted run resumes from ``PSEUDO.json.parts/``; the final file
is written atomically.

``--score-thr auto`` first labels a held-out split whose labels are known
(``--holdout-ann``), and takes for each class the lowest threshold whose
precision there reaches ``--target-precision``; the chosen values are printed
and recorded in the output's ``info``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


from projects.utils import UserInputError, load_config  # noqa: E402
from projects.utils.score_thresholds import DEFAULT_SCORE_THR  # noqa: E402
from projects.utils.unreadable_images import (DEFAULT_MAX_BAD_IMAGES,  # noqa: E402
                                              parse_max_bad_images)
from tools.lib.cli import CfgOptionsAction, run_main  # noqa: E402
from tools.lib.output_paths import check_output  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Pseudo-label images with a detector')
    parser.add_argument('config', help='teacher config')
    parser.add_argument('checkpoint', help='teacher checkpoint')
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--img-dir', help='folder of unlabelled images (no json needed)')
    src.add_argument('--ann-file', help='COCO json listing the unlabelled images')
    parser.add_argument('--img-prefix', help='image folder of --ann-file')
    parser.add_argument('--out', required=True, help='output COCO json')
    parser.add_argument('--score-thr', nargs='+', default=[str(DEFAULT_SCORE_THR)],
                        help='keep boxes with score >= this: one value (default 0.5), one '
                        'per class, or auto')
    parser.add_argument('--target-precision', type=float, default=0.8,
                        help='--score-thr auto: precision each class must reach')
    parser.add_argument('--holdout-ann', help='--score-thr auto: labelled held-out COCO json')
    parser.add_argument('--holdout-prefix', help='--score-thr auto: its image folder')
    parser.add_argument('--tta', action='store_true', help='flip (or the config\'s) TTA')
    parser.add_argument('--restart', action='store_true',
                        help='discard the parts an interrupted run left in OUT.parts/')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    parser.add_argument('--max-bad-images', type=parse_max_bad_images,
                        default=DEFAULT_MAX_BAD_IMAGES,
                        help='unreadable images tolerated: a fraction (default '
                        f'{DEFAULT_MAX_BAD_IMAGES}, as training) or a count')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if args.ann_file and not args.img_prefix:
        parser.error('--ann-file needs --img-prefix')
    args.auto = args.score_thr == ['auto']
    if args.auto:
        if not (args.holdout_ann and args.holdout_prefix):
            parser.error('--score-thr auto needs --holdout-ann and --holdout-prefix')
        if not 0 < args.target_precision <= 1:
            parser.error('--target-precision must be in (0, 1]')
    else:
        try:
            args.score_thr = [float(v) for v in args.score_thr]
        except ValueError:
            parser.error(f'--score-thr takes numbers or auto, got {" ".join(args.score_thr)}')
    if args.batch_size < 1:
        parser.error('--batch-size must be >= 1')
    check_output(args.out, [args.config, args.checkpoint, args.ann_file, args.holdout_ann,
                            args.img_dir, args.img_prefix, args.holdout_prefix], '--out')
    return args


def build_teacher(args):
    """(model, test pipeline, class names) of the teacher."""
    import torch
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    from projects.apis.inference import load_model_checkpoint, strip_annotation_loading
    from tools.lib.tta import apply_det_tta, innermost_dataset
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    if args.tta:
        cfg = apply_det_tta(cfg)
    model = MODELS.build(cfg.model)
    target = model.module if args.tta else model
    ckpt = load_model_checkpoint(target, args.checkpoint, args.config)
    meta = (ckpt.get('meta') or {}).get('dataset_meta') or {}
    classes = meta.get('classes') or \
        innermost_dataset(cfg.test_dataloader.dataset).get('metainfo', {}).get('classes')
    if not classes:
        raise UserInputError(f'{args.checkpoint}: no class names in the checkpoint meta '
                             f'nor in {args.config}')
    pipeline = innermost_dataset(cfg.test_dataloader.dataset).pipeline
    if args.tta:
        for t in pipeline:
            if t['type'] == 'TestTimeAug':
                t['transforms'] = [strip_annotation_loading(s) for s in t['transforms']]
    pipeline = Compose(strip_annotation_loading(pipeline))
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return model.to(device).eval(), pipeline, list(classes)


def predict_records(model, pipeline, images, prefix, cat_ids, args, score_thr=0.0):
    """One record per image of ``images`` (boxes scoring >= ``score_thr``; an
    unreadable file gives ``{'image', 'error'}``), as they are predicted."""
    import torch
    from projects.apis.inference import SafeImageDataset, build_loader
    from projects.apis.pseudo_label import prediction_to_record
    loader = build_loader(SafeImageDataset(images, prefix, pipeline), args.batch_size,
                          args.num_workers)
    with torch.no_grad():
        for data, infos, bad in loader:
            for b in bad:
                yield dict(image=dict(id=b['id'], file_name=b['file_name']), error=b['error'])
            if data is not None:
                for info, sample in zip(infos, model.test_step(data)):
                    yield prediction_to_record(info, sample, score_thr, cat_ids)


def auto_thresholds(args, model, pipeline, classes, cat_ids):
    """Per class, the lowest threshold reaching ``--target-precision`` on the held-out split."""
    import json

    from projects.apis.inference import images_from_coco
    from projects.apis.pseudo_label import records_to_coco
    from tools.lib.pseudo_quality import choose_thresholds
    (images, _), gt = images_from_coco(args.holdout_ann), json.load(open(args.holdout_ann))
    records = predict_records(model, pipeline, images, args.holdout_prefix, cat_ids, args)
    pseudo = records_to_coco([r for r in records if 'error' not in r],
                             [dict(id=i, name=n) for i, n in zip(cat_ids, classes)], {})
    chosen = choose_thresholds(pseudo, gt, args.target_precision)
    print(f'--score-thr auto (precision >= {args.target_precision:g} on '
          f'{len(images)} held-out images):')
    for name in classes:
        c = chosen[name]
        note = '' if c['reached'] else ' (target not reached: highest candidate)'
        prec = '-' if c['precision'] is None else f'{c["precision"]:.3f}'
        rec = '-' if c['recall'] is None else f'{c["recall"]:.3f}'
        print(f'  {name}: {c["thr"]:g} (precision {prec}, recall {rec}){note}')
    return chosen


def read_images(args):
    """(images ``{id, file_name}``, the source's categories, image folder)."""
    from projects.apis.inference import images_from_coco
    from projects.utils.image_folder import list_image_folder
    if args.img_dir:
        return list_image_folder(args.img_dir), [], args.img_dir
    images, categories = images_from_coco(args.ann_file)
    return images, categories, args.img_prefix


def write_pseudo_labels(args, good, skipped, classes, cat_ids, auto) -> str:
    """The COCO json (atomically); returns the summary line."""
    from projects.apis.pseudo_label import records_to_coco
    from projects.utils.io import atomic_write_json
    from projects.utils.score_thresholds import describe
    negatives = sum(not r['anns'] for r in good)
    degenerate = sum(r.get('degenerate', 0) for r in good)
    info = dict(description='pseudo labels', teacher_config=args.config,
                teacher_checkpoint=args.checkpoint, score_thr=args.score_thr,
                tta=args.tta, num_negatives=negatives, num_degenerate_dropped=degenerate,
                skipped=skipped)
    if auto:
        info['score_thr_auto'] = dict(target_precision=args.target_precision,
                                      holdout=args.holdout_ann, classes=auto)
    cats = [dict(id=i, name=n) for i, n in zip(cat_ids, classes)]
    coco = records_to_coco(good, cats, info)
    atomic_write_json(coco, args.out)
    return (f'{args.out}: {len(good)} images, {len(coco["annotations"])} boxes with '
            f'score >= {describe(args.score_thr, classes)}, {negatives} negatives (no box), '
            f'{degenerate} boxes under 1 px dropped, {len(skipped)} unreadable skipped')


def fingerprint(args, images, prefix) -> dict:
    """What makes this tool's output: a resumed run must have the same."""
    from projects.utils.fingerprint import file_signature, images_signature
    return dict(tool='pseudo_label', images=images_signature(images, prefix),
                config=file_signature(args.config), checkpoint=file_signature(args.checkpoint),
                cfg_options=args.cfg_options, score_thr=args.score_thr, tta=args.tta,
                holdout=file_signature(args.holdout_ann), target_precision=args.target_precision)


def main(argv=None):
    args = parse_args(argv)
    from projects.apis.offline_label_run import OfflineLabelRun
    from projects.utils.score_thresholds import check_score_thr

    run = OfflineLabelRun(args.out, args.launcher, restart=args.restart)
    images, src_cats, prefix = read_images(args)
    run.claim(fingerprint(args, images, prefix))
    model, pipeline, classes = build_teacher(args)
    by_name = {c['name']: c['id'] for c in src_cats}
    cat_ids = [by_name[c] for c in classes] if all(c in by_name for c in classes) \
        else list(range(1, len(classes) + 1))
    auto = auto_thresholds(args, model, pipeline, classes, cat_ids) if args.auto else None
    args.score_thr = check_score_thr([auto[c]['thr'] for c in classes] if auto
                                     else args.score_thr, classes)
    todo = run.share(images)
    run.label(predict_records(model, pipeline, todo, prefix, cat_ids, args, args.score_thr),
              len(todo))
    merged = run.merge(images, max_bad_images=args.max_bad_images)
    if merged:
        good, skipped = merged
        run.finish(write_pseudo_labels(args, good, skipped, classes, cat_ids, auto), skipped)


if __name__ == '__main__':
    run_main(main)
