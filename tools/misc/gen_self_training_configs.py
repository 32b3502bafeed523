#!/usr/bin/env python
"""Write the Zoph et al. (NeurIPS 2020) COCO config grid under
``configs/self_training/`` and its command table in that folder's README.

    python tools/misc/gen_self_training_configs.py [--check]

Grid: {RetinaNet R50-FPN SyncBN, Mask R-CNN R50-FPN GN} x {scratch, in1k} x
{20, 50, 100 % of train2017} x {S1, S2, S3, S4} x {supervised, self-trained},
and each student's twin with ImageNet's images as the unlabelled source.
Every file changes one thing from its parent (init, labelled fraction or
strength), so the grid stays a tree of short child configs. ``--check``
exits 1 when the checked-in files differ from what this script writes, or
when the folder holds a config it does not write.
"""
import argparse
import glob
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from projects.utils.io import atomic_write_text  # noqa: E402

OUT = osp.join(ROOT, 'configs', 'self_training')
README = osp.join(OUT, 'README.md')
TABLE_START, TABLE_END = '<!-- cells:start -->', '<!-- cells:end -->'

MODELS = {
    'retinanet': dict(
        name='retinanet_r50-{init}_fpn_syncbn-all',
        bases=("'../_base_/models/retinanet_r50_fpn_syncbn-all.py'",
               "'../_base_/datasets/coco_detection_strength.py'"),
        # torchvision weights expect the default RGB mean/std: one value
        in1k="backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',\n"
             "{indent}                            checkpoint='torchvision://resnet50'))"),
    'mask-rcnn': dict(
        name='mask-rcnn_r50-{init}_fpn_gn-all',
        bases=("'../_base_/models/mask-rcnn_r50_fpn_gn-all.py'",
               "'../_base_/datasets/coco_instance_strength.py'"),
        # Detectron's R-50-GN is caffe-style (BGR, no std)
        in1k="data_preprocessor=dict(mean=[103.530, 116.280, 123.675],\n"
             "{indent}                       std=[1.0, 1.0, 1.0], bgr_to_rgb=False),\n"
             "{indent}backbone=dict(init_cfg=dict(_delete_=True, type='SafePretrained',\n"
             "{indent}                            checkpoint='open-mmlab://detectron/resnet50_gn'))"),
}
INITS = ('scratch', 'in1k')
FRACTIONS = (100, 50, 20)
STRENGTHS = {
    'S1': 'flip + scale jitter [0.8, 1.2], random resize and crop',
    'S2': 'detection AutoAugment (policy v0) on the original image, then S1',
    'S3': 'detection AutoAugment (v0), then large scale jitter [0.5, 2.0], flip, crop',
    'S4': 'box-aware RandAugment (2 ops, magnitude 10 of 10), then S3\'s jitter, flip, crop',
}
SCHEDULE = '3x'  # 270k = 3 x 90k at batch 16; drops at last 60k / 20k


def name(method, model, init, frac, strength):
    data = 'coco' + ('' if frac == 100 else f'-{frac}pct')
    if method == 'sup':
        return f'sup_{MODELS[model]["name"].format(init=init)}_8xb2-{SCHEDULE}-' \
               f'{strength.lower()}_{data}.py'
    return f'nst_{MODELS[model]["name"].format(init=init)}_8xb4-{SCHEDULE}-' \
           f'{strength.lower()}_{data}-unlabeled.py'


def sup_root(model):
    bases = ',\n    '.join(MODELS[model]['bases'] + ("'../_base_/schedules/long_schedule.py'",
                                                     "'../_base_/default_runtime.py'"))
    return f"""# Zoph et al. (NeurIPS 2020), supervised baseline / teacher: {model} R50-FPN,
# random init, all of COCO train2017, augmentation S1.
# 270k = 3 x 90k iterations at batch 16 (8 GPUs x 2); LR drops at the last
# 60k / 20k (210k, 250k). Children change one value: init, ann_file, strength.
_base_ = [
    {bases},
]
train_cfg = dict(multiplier=3)
"""


def nst_root(model):
    return f"""# Zoph et al. (NeurIPS 2020), Noisy-Student student: the detector of
# {name('sup', model, 'scratch', 100, 'S1')}
# trained on human labels and the teacher's pseudo labels (score >= 0.5,
# tools/pseudo_label.py or tools/self_train.py). Each batch of 4 per GPU is
# 2 human + 2 pseudo images (total 16 human per step, as the baseline), both
# under the same strength; losses combined by LossNormalizer:
#   L = (L_h + alpha * avg(L_h) / avg(L_p) * L_p) / (1 + alpha).
# One-value switches: strength ('S1'-'S4'), alpha, and the batch
# train_dataloader.sampler.batch_size (the DataLoader's follows it). The
# pseudo-label threshold belongs to the labelling: tools/self_train.py --score-thr.
_base_ = ['./{name('sup', model, 'scratch', 100, 'S1')}',
          '../_base_/student_data.py']
alpha = 1.0  # smaller for stronger augmentation, larger for longer training
model = dict(
    _delete_=True,
    type='NoisyStudentDetector',
    detector=_base_.model,
    loss_norm=dict(type='LossNormalizer', alpha=alpha, momentum=0.01))
train_dataloader = dict(
    batch_size=4,
    sampler=dict(_base_.student_sampler, batch_size=4),
    dataset=dict(
        _base_.student_dataset,
        human=dict(_base_.train_dataloader.dataset,
                   pipeline=[*_base_.load, _base_.augment, dict(type='PackDetInputs')]),
        # tools/self_train.py points ann_file / data_prefix at its pseudo labels
        pseudo=dict(
            type='CocoDataset',
            data_root=_base_.data_root,
            ann_file='annotations/unlabeled2017_pseudo.json',
            data_prefix=dict(img='unlabeled2017/'),
            filter_cfg=_base_.pseudo_filter_cfg,
            pipeline=[*_base_.load, _base_.augment, dict(type='PackDetInputs')])))
"""


def child(method, model, init, frac, strength):
    """(parent, comment, body) of a non-root cell."""
    prefix = '' if method == 'sup' else 'detector=dict('
    suffix = '' if method == 'sup' else ')'
    if strength != 'S1':
        parent = name(method, model, init, frac, 'S1')
        return parent, f'{strength}: {STRENGTHS[strength]}', f"strength = '{strength}'\n"
    if frac != 100:
        parent = name(method, model, init, 100, 'S1')
        ann = f"ann_file='annotations/instances_train2017_{frac}pct.json'"
        part = f'dataset=dict({ann})' if method == 'sup' else \
            f'dataset=dict(human=dict(\n    {ann}))'
        comment = (f'{frac}% of train2017 labelled (tools/misc/make_subset.py '
                   f'--percent {frac} --seed 0)')
        return parent, comment, f'train_dataloader = dict({part})\n'
    parent = name(method, model, 'scratch', 100, 'S1')
    indent = ' ' * (len('model = dict(') + len(prefix))
    in1k = MODELS[model]['in1k'].format(indent=indent)
    return parent, 'ImageNet-1k init, everything else identical', \
        f'model = dict({prefix}{in1k}{suffix})\n'


def cells():
    for model in MODELS:
        for init in INITS:
            for frac in FRACTIONS:
                for strength in STRENGTHS:
                    yield model, init, frac, strength


def render():
    """{file name: text} of the whole grid, and the README command table."""
    files, rows = {}, []
    for model, init, frac, strength in cells():
        for method in ('sup', 'nst'):
            key = name(method, model, init, frac, strength)
            if (init, frac, strength) == ('scratch', 100, 'S1'):
                files[key] = sup_root(model) if method == 'sup' else nst_root(model)
            else:
                parent, comment, body = child(method, model, init, frac, strength)
                files[key] = f"# {comment}\n_base_ = './{parent}'\n{body}"
        nst = name('nst', model, init, frac, strength)
        files[imagenet_name(nst)] = imagenet_child(nst)
        sup = name('sup', model, init, frac, strength)
        work = f'work_dirs/self_training/{nst[:-3]}'
        rows.append(
            f'| {model} | {init} | {frac}% | {strength} | '
            f'`tools/dist_train.sh configs/self_training/{sup} 8` | '
            f'`python tools/self_train.py configs/self_training/{sup} '
            f'configs/self_training/{nst} --work-dir {work} {UNLABELED} --gpus 8` |')
    header = ('| detector | init | labelled | strength | supervised | self-trained '
              '(teacher -> pseudo labels -> student) |\n|---|---|---|---|---|---|\n')
    return files, header + '\n'.join(rows) + '\n'


def imagenet_name(nst):
    """The ImageNet-source twin of a student: ``...-unlabeled.py`` -> ``...-imagenet.py``."""
    return nst[:-len('-unlabeled.py')] + '-imagenet.py'


def imagenet_child(nst):
    return f"""# Unlabelled source: the ImageNet-1k train images, labels ignored (the
# paper's source for COCO in its Tables 2-4 and 7), instead of unlabeled2017:
#   python tools/self_train.py SUP.py THIS.py --img-dir data/imagenet/train ...
# (every image under the class folders; tools/self_train.py sets ann_file/data_prefix)
_base_ = './{nst}'
train_dataloader = dict(dataset=dict(pseudo=dict(
    data_root='data/imagenet/', ann_file='train_pseudo.json', data_prefix=dict(img='train/'))))
"""


# the first line of every config this script writes (--check compares whole files)
GENERATED = ('# Generated by tools/misc/gen_self_training_configs.py: edit the script and '
             'rerun it, not this file.\n')
UNLABELED = ('--ann-file data/coco/annotations/image_info_unlabeled2017.json '
             '--img-prefix data/coco/unlabeled2017')


def readme_with(table):
    text = open(README).read()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[:start] + '\n' + table + text[end:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if the checked-in files are out of date')
    args = parser.parse_args(argv)
    files, table = render()
    files = {osp.join(OUT, k): GENERATED + v for k, v in files.items()}
    files[README] = readme_with(table)
    stale = [p for p, text in files.items()
             if not osp.exists(p) or open(p).read() != text]
    extra = sorted(set(glob.glob(osp.join(OUT, '*.py'))) - set(files))
    if args.check:
        for p in stale:
            print(f'out of date: {osp.relpath(p, ROOT)}')
        for p in extra:
            print(f'not written by this script (remove it): {osp.relpath(p, ROOT)}')
        return 1 if stale or extra else 0
    for p in extra:
        print(f'note: {osp.relpath(p, ROOT)} is not part of the grid')
    for p in stale:
        atomic_write_text(files[p], p)
    print(f'{len(files) - 1} configs, {len(stale)} written')
    return 0


if __name__ == '__main__':
    sys.exit(main())
