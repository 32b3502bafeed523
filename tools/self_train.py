#!/usr/bin/env python
"""Run Noisy-Student self-training end to end: teacher, pseudo labels,
student, and optionally more rounds with the student as the next teacher.
Detection (mmdet configs: tools/pseudo_label.py) and semantic segmentation
(mmseg configs: tools/pseudo_mask.py, --img-dir only) alike.

    python tools/self_train.py TEACHER_CONFIG STUDENT_CONFIG --work-dir DIR \\
        (--img-dir DIR | --ann-file UNLABELED.json --img-prefix DIR) \\
        [--teacher-checkpoint CKPT] [--rounds K] [--score-thr 0.5] [--tta] \\
        [--student-init {scratch,teacher}] [--gpus N] [--cfg-options k=v ...] [--restart]

Each stage runs the real tools (tools/train.py, tools/pseudo_label.py, or
their dist_*.sh launchers with --gpus N > 1) and is recorded in
``WORK_DIR/self_train_state.json``; a rerun skips finished stages and
resumes an interrupted one, if the rerun is the same run: each stage's record
holds a fingerprint of what made it (the config, the teacher checkpoint, the
unlabelled images' names, sizes and mtimes, the options), and a rerun with
other ones is refused in one line naming the stage and what changed
(``--restart`` moves the earlier run into ``WORK_DIR/previous-<time>/`` and
starts afresh). ``WORK_DIR/summary.md`` gets
the AP per round, teacher against student.
"""
import argparse
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from projects.selftrain import StageRunner, config_task, student_options  # noqa: E402
from projects.utils.curves import final_metrics, load_curve, markdown_table  # noqa: E402
from projects.utils.errors import UserInputError  # noqa: E402
from projects.utils.score_thresholds import DEFAULT_SCORE_THR, check_score_thr  # noqa: E402
from projects.utils.io import atomic_write_text  # noqa: E402
from tools.lib.cli import run_main  # noqa: E402
from tools.lib.output_paths import check_output  # noqa: E402

METRIC_KEYS = ('coco/bbox_mAP', 'coco/segm_mAP', 'mIoU')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('teacher_config')
    parser.add_argument('student_config')
    parser.add_argument('--work-dir', required=True)
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--img-dir', help='folder of unlabelled images')
    src.add_argument('--ann-file', help='COCO json of unlabelled images')
    parser.add_argument('--img-prefix', help='image folder of --ann-file')
    parser.add_argument('--teacher-checkpoint', help='skip teacher training, use this')
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--score-thr', type=float, nargs='+', default=[DEFAULT_SCORE_THR],
                        help='pseudo-label threshold of the labelling, one or one per class '
                        f'(default {DEFAULT_SCORE_THR}); segmentation: the pixel confidence')
    parser.add_argument('--tta', action='store_true',
                        help='TTA when pseudo-labelling (seg: scales 0.5-1.75 and flip)')
    parser.add_argument('--student-init', choices=['scratch', 'teacher'], default='scratch',
                        help='random init (or whatever the student config says) or '
                        'the teacher\'s weights')
    parser.add_argument('--task', choices=['auto', 'det', 'seg'], default='auto',
                        help='auto: seg for mmseg configs (default_scope), else det')
    parser.add_argument('--gpus', type=int, default=1, help='processes per stage')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to every training run')
    parser.add_argument('--restart', action='store_true',
                        help='keep an earlier run of WORK_DIR in WORK_DIR/previous-<time>/ '
                        'and start afresh (a rerun with other inputs is refused otherwise)')
    args = parser.parse_args(argv)
    if args.ann_file and not args.img_prefix:
        parser.error('--ann-file needs --img-prefix')
    if args.rounds < 1:
        parser.error('--rounds must be >= 1')
    # the range before the teacher trains (hours on real data); the count per class
    # is checked by pseudo_label.py, which knows the classes
    check_score_thr(args.score_thr, classes=None)
    for path in (args.teacher_config, args.student_config):
        if not osp.isfile(path):
            raise UserInputError(f'config file not found: {path}')
    if args.teacher_checkpoint and not osp.isfile(args.teacher_checkpoint):
        raise UserInputError(f'teacher checkpoint not found: {args.teacher_checkpoint}')
    check_output(args.work_dir, [args.teacher_config, args.student_config,
                                 args.teacher_checkpoint, args.img_dir, args.ann_file,
                                 args.img_prefix], '--work-dir', 'dir')
    for key in ('teacher_config', 'student_config', 'teacher_checkpoint', 'img_dir',
                'ann_file', 'img_prefix', 'work_dir'):  # as the caller means them: the
        if getattr(args, key):  # stages run from the repository
            setattr(args, key, osp.abspath(getattr(args, key)))
    if args.task == 'auto':
        args.task = config_task(args.teacher_config)
    if args.task == 'seg' and not args.img_dir:
        raise UserInputError('segmentation self-training takes --img-dir (pseudo masks '
                             'are written per image file)')
    if args.task == 'seg' and len(args.score_thr) != 1:
        raise UserInputError('segmentation pseudo masks take one --score-thr '
                             '(a per-pixel confidence), not one per class')
    return args


class SelfTrainer:
    """Rounds of teacher -> pseudo labels -> student over :class:`StageRunner`."""

    def __init__(self, args):
        self.args = args
        self.work = osp.abspath(args.work_dir)
        self.stages = StageRunner(osp.join(self.work, 'self_train_state.json'), gpus=args.gpus,
                                  prefix='[self_train]')
        if args.restart:
            self.stages.restart()

    def train(self, key, config, extra_opts=()):
        """Train (or resume) one model; returns its final checkpoint."""
        return self.stages.train(key, config, osp.join(self.work, key),
                                 list(self.args.cfg_options) + list(extra_opts))

    def pseudo_label(self, key, config, ckpt):
        """Boxes (a COCO json) or masks (a folder of PNGs) of the unlabelled images."""
        a = self.args
        source = dict(img_dir=a.img_dir) if a.img_dir else \
            dict(ann_file=a.ann_file, img_prefix=a.img_prefix)
        out = osp.join(self.work, key if a.task == 'seg' else f'{key}.json')
        return self.stages.label(key, a.task, config, ckpt, source, out, a.score_thr, a.tta)

    def run(self):
        a = self.args
        t_cfg = a.teacher_config
        t_ckpt = self.stages.given('teacher', t_cfg, a.teacher_checkpoint) \
            if a.teacher_checkpoint else self.train('teacher', t_cfg)
        img_root = osp.abspath(a.img_dir or a.img_prefix)
        for r in range(1, a.rounds + 1):
            pseudo = self.pseudo_label(f'pseudo_round{r}', t_cfg, t_ckpt)
            opts = [f'{k}={v}' for k, v in student_options(a.task, pseudo, img_root).items()]
            if a.student_init == 'teacher':
                opts.append(f'load_from={t_ckpt}')
            t_ckpt = self.train(f'student_round{r}', a.student_config, opts)
            t_cfg = a.student_config
        self.summary()

    def summary(self):
        rows, state = [], self.stages.state
        for key in ['teacher'] + [k for k in state if k.startswith('student_round')]:
            entry = state.get(key, {})
            final = None
            if entry.get('work_dir') and osp.exists(osp.join(entry['work_dir'], 'curve.json')):
                final = final_metrics(load_curve(entry['work_dir']))
            row = dict(round=0 if key == 'teacher' else int(key[len('student_round'):]),
                       model=key.split('_')[0], checkpoint=osp.relpath(entry['checkpoint'], ROOT))
            row.update({k: v for k, v in (final or {}).items() if k in METRIC_KEYS})
            rows.append(row)
        cols = ['round', 'model'] + [k for k in METRIC_KEYS if any(k in r for r in rows)] + \
            ['checkpoint']
        table = markdown_table(rows, cols)
        atomic_write_text(table + '\n', osp.join(self.work, 'summary.md'))
        print('\n' + table)
        return rows


def main(argv=None):
    SelfTrainer(parse_args(argv)).run()


if __name__ == '__main__':
    run_main(main)
