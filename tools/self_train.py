#!/usr/bin/env python
"""Run Noisy-Student self-training end to end: teacher, pseudo labels,
student, and optionally more rounds with the student as the next teacher.
Detection (mmdet configs: tools/pseudo_label.py) and semantic segmentation
(mmseg configs: tools/pseudo_mask.py, --img-dir only) alike.

    python tools/self_train.py TEACHER_CONFIG STUDENT_CONFIG --work-dir DIR \\
        (--img-dir DIR | --ann-file UNLABELED.json --img-prefix DIR) \\
        [--teacher-checkpoint CKPT] [--rounds K] [--score-thr 0.5] [--tta] \\
        [--student-init {scratch,teacher}] [--gpus N] [--cfg-options k=v ...]

Each stage runs the real tools (tools/train.py, tools/pseudo_label.py, or
their dist_*.sh launchers with --gpus N > 1) and is recorded in
``WORK_DIR/self_train_state.json``; a rerun skips finished stages and
resumes an interrupted one. ``WORK_DIR/summary.md`` gets the AP per round,
teacher against student.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools.lib.cli import run_main  # noqa: E402
from projects.utils.curves import final_metrics, load_curve, markdown_table  # noqa: E402
from projects.utils.io import atomic_write_json, atomic_write_text  # noqa: E402
from projects.utils.errors import UserInputError  # noqa: E402

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
    parser.add_argument('--score-thr', type=float, nargs='+', default=None,
                        help="pseudo-label threshold, one or one per class (default: the "
                        "student config's score_thr, else 0.5)")
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
    args = parser.parse_args(argv)
    if args.ann_file and not args.img_prefix:
        parser.error('--ann-file needs --img-prefix')
    if args.rounds < 1:
        parser.error('--rounds must be >= 1')
    for path in (args.teacher_config, args.student_config):
        if not osp.isfile(path):
            raise UserInputError(f'config file not found: {path}')
    if args.teacher_checkpoint and not osp.isfile(args.teacher_checkpoint):
        raise UserInputError(f'teacher checkpoint not found: {args.teacher_checkpoint}')
    if args.task == 'auto':
        from mmengine.config import Config
        scope = Config.fromfile(args.teacher_config).get('default_scope', 'mmdet')
        args.task = 'seg' if scope == 'mmseg' else 'det'
    if args.score_thr is None:
        args.score_thr = student_score_thr(args.student_config, args.cfg_options)
    if args.task == 'seg' and not args.img_dir:
        raise UserInputError('segmentation self-training takes --img-dir (pseudo masks '
                             'are written per image file)')
    return args


def student_score_thr(config: str, cfg_options) -> list:
    """The student config's ``score_thr`` (``--cfg-options`` first; one value or one per
    class), else [0.5]."""
    for opt in cfg_options:
        key, _, value = opt.partition('=')
        if key == 'score_thr':
            return [float(v) for v in value.strip('[]()').split(',') if v.strip()]
    from mmengine.config import Config
    thr = Config.fromfile(config).get('score_thr', 0.5)
    return [float(v) for v in thr] if isinstance(thr, (list, tuple)) else [float(thr)]


class SelfTrainer:
    """Stage bookkeeping and the commands of each stage."""

    def __init__(self, args):
        self.args = args
        self.work = osp.abspath(args.work_dir)
        os.makedirs(self.work, exist_ok=True)
        self.state_file = osp.join(self.work, 'self_train_state.json')
        self.state = json.load(open(self.state_file)) if osp.exists(self.state_file) else {}

    def _save(self):
        atomic_write_json(self.state, self.state_file, indent=1)

    def _run(self, tool, args):
        if self.args.gpus > 1:  # dist_*.sh CONFIG [CHECKPOINT] GPUS [args]
            n = 2 if tool.startswith('pseudo') else 1
            cmd = ['bash', osp.join(ROOT, 'tools', f'dist_{tool}.sh')] + args[:n] + \
                [str(self.args.gpus)] + args[n:]
        else:
            cmd = [sys.executable, osp.join(ROOT, 'tools', f'{tool}.py')] + args
        print(f'\n$ {" ".join(cmd)}', flush=True)
        env = dict(os.environ, PYTHON=sys.executable)
        if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
            raise SystemExit(f'stage failed: {" ".join(cmd)} (rerun to resume)')

    def train(self, key, config, extra_opts=()):
        """Train (or resume) one model; returns its final checkpoint."""
        if key in self.state:
            print(f'[self_train] {key}: done, {self.state[key]["checkpoint"]}')
            return self.state[key]['checkpoint']
        work = osp.join(self.work, key)
        resume = ['--resume'] if osp.exists(osp.join(work, 'last_checkpoint')) else []
        opts = list(self.args.cfg_options) + list(extra_opts)
        self._run('train', [config, '--work-dir', work] + resume +
                  (['--cfg-options'] + opts if opts else []))
        ckpt = open(osp.join(work, 'last_checkpoint')).read().strip()
        self.state[key] = dict(checkpoint=ckpt, config=config, work_dir=work)
        self._save()
        return ckpt

    def pseudo_label(self, key, config, ckpt):
        if self.args.task == 'seg':
            return self.pseudo_mask(key, config, ckpt)
        out = osp.join(self.work, f'{key}.json')
        if key not in self.state:
            src = ['--img-dir', self.args.img_dir] if self.args.img_dir else \
                ['--ann-file', self.args.ann_file, '--img-prefix', self.args.img_prefix]
            self._run('pseudo_label', [config, ckpt] + src +
                      ['--out', out, '--score-thr'] + [str(v) for v in self.args.score_thr] +
                      (['--tta'] if self.args.tta else []))
            self.state[key] = dict(file=out)
            self._save()
        return out

    def _one_thr(self) -> str:
        if len(self.args.score_thr) != 1:
            raise UserInputError('segmentation pseudo masks take one --score-thr '
                                 '(a per-pixel confidence), not one per class')
        return str(self.args.score_thr[0])

    def pseudo_mask(self, key, config, ckpt):
        """Segmentation: one PNG per unlabelled image in WORK_DIR/<key>/."""
        out = osp.join(self.work, key)
        if key not in self.state:
            views = ['--flip'] if self.args.tta else ['--scales', '1.0']
            self._run('pseudo_mask', [config, ckpt, '--img-dir', self.args.img_dir,
                                      '--out-dir', out, '--conf-thr', self._one_thr()]
                      + views)
            self.state[key] = dict(dir=out)
            self._save()
        return out

    def student_options(self, pseudo, img_root):
        """--cfg-options pointing the student's pseudo part at this round."""
        part = 'train_dataloader.dataset.pseudo'
        if self.args.task == 'seg':
            return [f'{part}.data_prefix.img_path={img_root}',
                    f'{part}.data_prefix.seg_map_path={pseudo}']
        return [f'{part}.ann_file={pseudo}', f'{part}.data_prefix.img={img_root}/']

    def run(self):
        a = self.args
        if a.teacher_checkpoint:
            self.state.setdefault('teacher', dict(checkpoint=osp.abspath(a.teacher_checkpoint),
                                                  config=a.teacher_config, work_dir=None))
        t_cfg, t_ckpt = a.teacher_config, self.train('teacher', a.teacher_config)
        img_root = osp.abspath(a.img_dir or a.img_prefix)
        for r in range(1, a.rounds + 1):
            pseudo = self.pseudo_label(f'pseudo_round{r}', t_cfg, t_ckpt)
            opts = self.student_options(pseudo, img_root)
            if a.student_init == 'teacher':
                opts.append(f'load_from={t_ckpt}')
            t_ckpt = self.train(f'student_round{r}', a.student_config, opts)
            t_cfg = a.student_config
        self.summary()

    def summary(self):
        rows = []
        for key in ['teacher'] + [k for k in self.state if k.startswith('student_round')]:
            entry = self.state.get(key, {})
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
