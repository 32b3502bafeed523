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

    python tools/quickstart.py [--work-dir work_dirs/quickstart]

Every step runs the real tools, as a user would; finished steps are skipped
on a second run.
"""
import argparse
import os.path as osp
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


def step(title, cmd):
    print(f'\n==> {title}\n    $ {" ".join(cmd)}', flush=True)
    start = time.time()
    subprocess.run([sys.executable] + cmd, cwd=ROOT, check=True)
    print(f'    ({time.time() - start:.0f} s)', flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    args = parser.parse_args(argv)
    t0 = time.time()
    work = args.work_dir
    if not osp.exists(osp.join(ROOT, DATA, 'DONE.json')):
        step('generate demo data', ['tools/misc/make_demo_data.py', '--out-dir', DATA,
                                    '--num-images', '240', '--seed', '0'])
    step('self-training: teacher -> pseudo labels -> student (CPU)',
         ['tools/self_train.py', TEACHER, STUDENT, '--work-dir', work,
          '--img-dir', f'{DATA}/unlabeled'])
    stages = StageRunner(osp.join(ROOT, work, 'self_train_state.json'))
    ckpt = stages.record('student_round1')['checkpoint']
    step('evaluate the student with tools/test.py (COCO bbox metric)',
         ['tools/test.py', STUDENT, ckpt, '--work-dir', osp.join(work, 'test')])
    runs = [osp.join(work, 'teacher'), osp.join(work, 'student_round1')]
    step('results table', ['tools/analysis_tools/results_table.py'] + runs)
    step('learning curves', ['tools/analysis_tools/plot_curves.py'] + runs +
         ['--labels', 'teacher (human labels)', 'student (human + pseudo)',
          '--out', osp.join(work, 'learning_curve.png')])
    t, s = (final_metrics(load_curve(stages.record(k)['work_dir']))['coco/bbox_mAP']
            for k in ('teacher', 'student_round1'))
    print(f'\nquickstart done in {time.time() - t0:.0f} s: teacher bbox mAP {t:.3f}, '
          f'student bbox mAP {s:.3f} ({s - t:+.3f}); figure: {work}/learning_curve.png')


if __name__ == '__main__':
    main()
