#!/usr/bin/env python
"""The README's main job, on the CPU: Noisy-Student self-training on the
generated demo data.

1. generate ``data/demo`` if it is missing;
2. ``tools/self_train.py``: train a RetinaNet-R18/2-GN teacher from random
   init on the labelled half, pseudo-label the unlabelled half (score >= 0.5),
   train a student on human + pseudo labels (half of each batch each, loss
   normalization, augmentation S1);
3. ``tools/test.py`` on the student (COCO bbox metric);
4. a table of teacher against student AP and ``learning_curve.png``.

    python tools/quickstart.py [--work-dir work_dirs/quickstart] [--seed 0]
    python tools/quickstart.py --seeds 0 1 2   # the spread: docs/quickstart_seeds.json

Every step runs the real tools, as a user would; finished steps are skipped
on a second run. The last line reads the teacher-student difference against
the spread measured over seeds (``--seeds``, recorded in
``docs/quickstart_seeds.json`` with its command and date), so that one toy run
is not read as "self-training helps" or "hurts".
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from projects.selftrain import StageRunner  # noqa: E402
from projects.utils.curves import final_metrics, load_curve  # noqa: E402

TEACHER = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo-lab50.py'
STUDENT = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb16-600i-s1_demo-lab50.py'
DATA = 'data/demo'
SPREAD = 'docs/quickstart_seeds.json'  # written by --seeds


def step(title, cmd):
    print(f'\n==> {title}\n    $ {" ".join(cmd)}', flush=True)
    start = time.time()
    subprocess.run([sys.executable] + cmd, cwd=ROOT, check=True)
    print(f'    ({time.time() - start:.0f} s)', flush=True)


def run(work: str, seed: int) -> tuple:
    """The quickstart with one seed; returns (teacher AP, student AP, seconds)."""
    t0 = time.time()
    if not osp.exists(osp.join(ROOT, DATA, 'DONE.json')):
        step('generate demo data', ['tools/misc/make_demo_data.py', '--out-dir', DATA,
                                    '--num-images', '240', '--seed', '0'])
    seed_opts = ['--cfg-options', f'randomness.seed={seed}'] if seed else []
    step('self-training: teacher -> pseudo labels -> student (CPU)',
         ['tools/self_train.py', TEACHER, STUDENT, '--work-dir', work,
          '--img-dir', f'{DATA}/unlabeled'] + seed_opts)
    stages = StageRunner(osp.join(ROOT, work, 'self_train_state.json'))
    ckpt = stages.record('student_round1')['checkpoint']
    step('evaluate the student with tools/test.py (COCO bbox metric)',
         ['tools/test.py', STUDENT, ckpt, '--work-dir', osp.join(work, 'test')] + seed_opts)
    runs = [osp.join(work, 'teacher'), osp.join(work, 'student_round1')]
    step('results table', ['tools/analysis_tools/results_table.py'] + runs)
    step('learning curves', ['tools/analysis_tools/plot_curves.py'] + runs +
         ['--labels', 'teacher (human labels)', 'student (human + pseudo)',
          '--out', osp.join(work, 'learning_curve.png')])
    t, s = (final_metrics(load_curve(stages.record(k)['work_dir']))['coco/bbox_mAP']
            for k in ('teacher', 'student_round1'))
    return t, s, time.time() - t0


def verdict(teacher: float, student: float, spread: dict = None) -> str:
    """Student minus teacher, read against the seeds' spread of that difference:
    beyond twice its sample std, or within it (then one run tells nothing)."""
    diff = student - teacher
    line = f'teacher bbox mAP {teacher:.3f}, student bbox mAP {student:.3f} ({diff:+.3f})'
    runs = (spread or {}).get('runs') or []
    if len(runs) < 2:
        return line + '; no spread over seeds recorded: one run is not a finding'
    diffs = [r['student'] - r['teacher'] for r in runs]
    std = statistics.stdev(diffs)
    where = 'beyond' if abs(diff) > 2 * std else 'within'
    return (f'{line}; over {len(runs)} seeds ({SPREAD}) the difference was '
            f'{statistics.mean(diffs):+.3f} ± {std:.3f}: this one is {where} twice that std'
            + ('' if where == 'beyond' else ', so it shows neither a gain nor a loss'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--seed', type=int, default=0, help='randomness.seed of every run')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help=f'run once per seed (WORK_DIR/seedN); the spread goes to {SPREAD}')
    args = parser.parse_args(argv)
    if args.seeds:
        from projects.utils.io import atomic_write_json
        runs = []
        for seed in args.seeds:
            t, s, secs = run(osp.join(args.work_dir, f'seed{seed}'), seed)
            runs.append(dict(seed=seed, teacher=round(t, 4), student=round(s, 4),
                             seconds=round(secs)))
        record = dict(generator='tools/quickstart.py',
                      command='python tools/quickstart.py ' + ' '.join(argv or sys.argv[1:]),
                      date=time.strftime('%Y-%m-%d'),
                      machine=f'{platform.machine()}, {os.cpu_count()} cores', runs=runs)
        atomic_write_json(record, osp.join(ROOT, SPREAD), indent=1)
        print(f'\n{len(runs)} seeds recorded in {SPREAD}: ' + ', '.join(
            f'seed {r["seed"]}: {r["teacher"]:.3f} -> {r["student"]:.3f}' for r in runs))
        return
    t, s, secs = run(args.work_dir, args.seed)
    path = osp.join(ROOT, SPREAD)
    spread = json.load(open(path)) if osp.isfile(path) else None
    print(f'\nquickstart done in {secs:.0f} s: {verdict(t, s, spread)}; '
          f'figure: {args.work_dir}/learning_curve.png')


if __name__ == '__main__':
    main()
