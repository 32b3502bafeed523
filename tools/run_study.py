#!/usr/bin/env python
"""Run a study grid (configs/studies/*.py) and write its tables and figures.

    python tools/run_study.py STUDY_CONFIG [--work-dir DIR] [--figures-dir DIR] \\
        [--seeds 0 1 2] [--only NAME ...] [--jobs N] [--publish FILE ...] [--report-only] \\
        [--cfg-options variables.bccd_root=PATH] [--train-options K=V ...] [--dry-run]

A study config lists ``setup`` steps (data conversion, subsets), ``runs``
(a training config, its ``--cfg-options`` and the factors it stands for) and
the ``tables``, ``readings`` and ``figures`` to draw. Student runs name a
``teacher`` run: the teacher's final checkpoint pseudo-labels the
``unlabeled`` images (``tools/pseudo_label.py``, or ``tools/pseudo_mask.py``
for segmentors; the run's ``score_thr``, default 0.5, or ``'auto'`` with the
study's ``auto_threshold`` held-out split), then the student trains on human
and pseudo labels (a student with seed S uses its teacher's seed-S
checkpoint). With the study's ``pseudo_quality`` (a ground truth of the
pool), each teacher's raw labels are scored per class and threshold in the
report; with its ``test_quality`` (a labelled set: ``ann_file``,
``img_prefix``, ``thresholds``), each run's own detections of that set are
scored the same way, with the size bias of its boxes (a diagnosis of a run
that fails). Every run trains once per seed (the study's ``seeds``, a run's own
``seeds``, or ``--seeds``); ``--jobs N`` trains N at once (a student waits
for its teacher).

Each stage (a run's training, a teacher's labels) has one record in
``WORK_DIR/stages.json`` (:class:`projects.selftrain.StageRunner`; processes
sharing a work dir merge their records): finished stages are skipped, an
interrupted run resumes from its last checkpoint (a stage whose config,
checkpoint, images or options changed since is refused in one line; ``--restart``
moves the earlier study into ``WORK_DIR/previous-<time>/``), and
``WORK_DIR/NAME/seedS/result.json`` holds a run's final metrics. A study of
mmseg configs labels masks instead of boxes and reports ``mIoU``.
``WORK_DIR/results.md`` holds the tables (mean, sample std and n over seeds),
the readings (an effect only beyond twice the pooled std), every run's final
metrics, the runs not run yet and the figures, rewritten after each run;
``--publish FILE`` writes it into the study's marked blocks of a Markdown
file (a ``:readings`` block gets the readings marked ``headline=True``, or
all when none is) and keeps the results in ``study_results/NAME.json``
beside the first FILE; ``--report-only`` only writes the report, from the
run folders, or from that record when they are gone; with neither, it
re-generates the readings from the **Every run** table of the first FILE's
block and rewrites only them (``tools/lib/published_results.py``).
"""
import argparse
import functools
import json
import os
import os.path as osp
import platform
import sys
import threading
import time
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)


from projects.selftrain import (StageRunner, config_task, last_checkpoint,  # noqa: E402
                                student_options)
from projects.utils import UserInputError, atomic_write_json, atomic_write_text  # noqa: E402
from projects.utils.score_thresholds import DEFAULT_SCORE_THR, check_score_thr  # noqa: E402
from tools.lib.cli import CfgOptionsAction, run_main  # noqa: E402
from projects.utils.curves import (final_metrics, final_train_scalars, load_curve,  # noqa: E402
                                   train_minutes)
from tools.lib.job_queue import JobQueue  # noqa: E402
from tools.lib.published_results import published_results, publish_readings  # noqa: E402
from tools.lib.study_report import (publish_blocks, render_readings,  # noqa: E402
                                    render_results, reported_metrics, study_figures)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('study', help='study config (configs/studies/*.py)')
    parser.add_argument('--work-dir', help='default: work_dirs/studies/<study name>')
    parser.add_argument('--figures-dir', help='where the PNGs go (default: WORK_DIR/figures)')
    parser.add_argument('--seeds', type=int, nargs='+', help="override the study's seeds")
    parser.add_argument('--only', nargs='+', help='run only these runs (and their teachers)')
    parser.add_argument('--train-options', nargs='+', action=CfgOptionsAction, default={},
                        help='extra --cfg-options for every training run')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override keys of the study config (e.g. variables.bccd_root=...)')
    parser.add_argument('--publish', nargs='+', metavar='FILE', default=[],
                        help='Markdown files whose generated blocks get the report: '
                             '<!-- run_study:NAME begin --> ... <!-- run_study:NAME end --> '
                             '(the whole report) or run_study:NAME:readings (its readings: those '
                             'marked headline=True, or all when none is)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs trained at once (a student starts once its teacher is done); '
                             'on a CPU, give each OMP_NUM_THREADS=cores/jobs')
    parser.add_argument('--report-only', action='store_true',
                        help='write the report (and --publish) from the finished runs (or the '
                             'study_results record, or only the readings from the published '
                             '"Every run" table); train nothing')
    parser.add_argument('--dry-run', action='store_true', help='print the commands only')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per stage (tools/dist_*.sh when > 1): GPUs per run')
    parser.add_argument('--restart', action='store_true',
                        help='keep an earlier run of WORK_DIR in WORK_DIR/previous-<time>/ and '
                        'start afresh (a stage made by other inputs is refused otherwise)')
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f'--jobs must be >= 1, got {args.jobs}')
    if args.gpus < 1:
        parser.error(f'--gpus must be >= 1, got {args.gpus}')
    return args


def load_study(path: str, cfg_options: Optional[dict] = None):
    """The study config, checked: run names unique, teachers defined first."""
    from projects.utils import load_config
    study = load_config(path)
    if cfg_options:
        study.merge_from_dict(cfg_options)
    names = []
    for i, run in enumerate(study.get('runs') or []):
        for key in ('name', 'config'):
            if key not in run:
                raise UserInputError(f'{path}: runs[{i}] has no "{key}"')
        if run['name'] in names:
            raise UserInputError(f'{path}: run name "{run["name"]}" used twice')
        if run.get('teacher') and run['teacher'] not in names:
            raise UserInputError(f'{path}: run "{run["name"]}": teacher "{run["teacher"]}" '
                                 'must be a run listed before it')
        unlabeled = run.get('unlabeled') or {}
        if run.get('teacher') and 'img_dir' not in unlabeled and not (
                'ann_file' in unlabeled and 'img_prefix' in unlabeled):
            raise UserInputError(f'{path}: run "{run["name"]}" has a teacher but no "unlabeled" '
                                 'images (img_dir, or ann_file and img_prefix)')
        names.append(run['name'])
    if not names:
        raise UserInputError(f'{path}: no runs')
    return study


def _resolve(path: str) -> Optional[str]:
    """A study path as the caller means it: against the caller's working
    directory first (returned absolute, since the stages run from the repo),
    then against the repository (returned as given); None if neither exists."""
    if osp.isabs(path) or not osp.exists(osp.join(ROOT, path)):
        return osp.abspath(path) if osp.exists(path) else None
    return path


def check_inputs(study, path: str, runs: list) -> None:
    """Before any stage: every run's config (and, with no setup step to make
    them, its unlabelled images) exists, and every threshold is in [0, 1];
    one line naming the run. Paths are resolved with :func:`_resolve`."""
    variables = dict(study.get('variables') or {})
    for run in runs:
        where = f'{path}: run "{run["name"]}"'
        found = _resolve(_fmt(run['config'], variables))
        if found is None:
            raise UserInputError(f'{where}: config not found: {run["config"]}')
        run['config'] = found
        if run.get('teacher'):
            thr = run.get('score_thr', DEFAULT_SCORE_THR)
            if thr != 'auto':  # 'auto': the study's auto_threshold picks it
                check_score_thr(thr, None, where=f'{where}: score_thr')
            for key in ('img_dir', 'ann_file', 'img_prefix'):
                value = (run.get('unlabeled') or {}).get(key)
                if value is None:
                    continue
                found = _resolve(_fmt(value, variables))
                if found is None and not study.get('setup'):
                    raise UserInputError(f'{where}: unlabeled {key} not found: {value}')
                run['unlabeled'][key] = found or value


def run_dir(work_dir: str, name: str, seed: int) -> str:
    """The folder of one run with one seed: checkpoints, logs, result.json."""
    return osp.join(work_dir, name, f'seed{seed}')


def _fmt(value, variables: Dict[str, str]):
    """``value`` with ``{name}`` replaced by the study's variables (and ``{repo}``)."""
    return value.format(repo=ROOT, **variables) if isinstance(value, str) else value


def run_setup(study, stages: StageRunner, work_dir: str) -> None:
    """The study's setup steps whose ``creates`` file is missing."""
    variables = dict(study.get('variables') or {})
    for step in study.get('setup') or []:
        creates = _fmt(step['creates'], variables)
        if osp.exists(osp.join(ROOT, creates)):
            continue
        print(f'setup: making {creates}', flush=True)
        stages.run_command([_fmt(a, variables) for a in step['cmd']],
                           osp.join(work_dir, 'setup.log'))


_config_task = functools.lru_cache(maxsize=None)(config_task)  # a config is parsed once


def _task(run) -> str:
    """'seg' for a run whose config is an mmseg one, else 'det'."""
    return _config_task(osp.join(ROOT, run['config']))


def _pseudo_source(study, run, seed, work_dir) -> Tuple[dict, str]:
    """A student run's unlabelled images (``img_dir``, or ``ann_file`` and
    ``img_prefix``) and where its teacher's (same seed) labels go: a json
    (boxes) or a folder (masks) in the teacher's run dir."""
    variables = dict(study.get('variables') or {})
    source = {k: _fmt(v, variables) for k, v in run['unlabeled'].items()}
    teacher_dir = run_dir(work_dir, run['teacher'], seed)
    out = f'pseudo_{_pool_stem(source)}_thr{run.get("score_thr", DEFAULT_SCORE_THR)}'
    return source, osp.join(teacher_dir, out if _task(run) == 'seg' else out + '.json')


def _teacher_pseudo_labels(study, stages, run, seed, work_dir) -> str:
    """Pseudo-label the run's unlabelled images with its teacher (same seed);
    kept in the teacher's run dir, so students of one teacher share them."""
    source, out = _pseudo_source(study, run, seed, work_dir)
    with _LABEL_LOCKS_GUARD:  # two students of one teacher (--jobs) label once
        lock = _LABEL_LOCKS.setdefault(osp.dirname(out), threading.Lock())
    with lock:
        return _label_with_teacher(study, stages, run, source, out, work_dir)


_LABEL_LOCKS: Dict[str, threading.Lock] = {}
_LABEL_LOCKS_GUARD = threading.Lock()


def _label_with_teacher(study, stages, run, source: dict, out: str, work_dir: str) -> str:
    teacher = next(r for r in study.runs if r['name'] == run['teacher'])
    teacher_dir = osp.dirname(out)
    ckpt = last_checkpoint(teacher_dir) or osp.join(teacher_dir, 'last.pth')
    key = osp.relpath(out, work_dir)
    variables = dict(study.get('variables') or {})
    auto = {k: _fmt(v, variables) for k, v in (study.get('auto_threshold') or {}).items()}
    options = _run_options(study, teacher, {})
    if _task(run) == 'det' and study.get('pseudo_quality'):
        _pseudo_quality(study, stages, teacher, ckpt, source, teacher_dir, options, work_dir)
    return stages.label(key, _task(run), teacher['config'], ckpt, source, out,
                        [run.get('score_thr', DEFAULT_SCORE_THR)], options=options, auto=auto)


def _pool_stem(source: dict) -> str:
    """The unlabelled pool's name: its folder's or json's."""
    path = source.get('img_dir') or source['ann_file']
    return osp.splitext(osp.basename(osp.normpath(path)))[0]


def _quality_file(teacher_dir: str, source: dict) -> str:
    return osp.join(teacher_dir, f'quality_{_pool_stem(source)}.json')


def _pseudo_quality(study, stages, teacher, ckpt, source, teacher_dir, options,
                    work_dir) -> None:
    """The study's ``pseudo_quality``: the teacher's raw labels of the pool, at
    a low ``score_thr`` (a stage; :func:`quality_report` scores them)."""
    raw = _raw_file(teacher_dir, source)
    stages.label(osp.relpath(raw, work_dir), 'det', teacher['config'], ckpt, source, raw,
                 [study.pseudo_quality.get('score_thr', 0.05)], options=options)


def _raw_file(teacher_dir: str, source: dict) -> str:
    return osp.join(teacher_dir, f'raw_{_pool_stem(source)}.json')


def _scored(raw: str, gt: str, thresholds: List[float], out: str, key: str,
            label: dict) -> Optional[dict]:
    """``raw`` labels scored against ``gt`` at ``thresholds`` (``label`` added),
    cached in ``out`` for the same ground truth and thresholds; None before
    ``raw`` exists. ``key`` names the study key in the error."""
    from tools.lib.pseudo_quality import pseudo_label_quality
    if not osp.isfile(raw):
        return None
    if osp.isfile(out):
        cached = json.load(open(out))
        if cached.get('gt') == gt and [r['thr'] for r in cached['rows']] == thresholds:
            return cached
    report = pseudo_label_quality(json.load(open(raw)), json.load(open(gt)), thresholds)
    if not any(c['gt'] for c in report['rows'][0]['classes'].values()):
        raise UserInputError(f'{key}: {gt} holds no box on the {report["images"]} '
                             'pseudo-labelled images; it must hold their held-back labels')
    report = dict(report, gt=gt, **label)
    atomic_write_json(report, out, indent=1)
    return report


def quality_report(study, teacher: str, teacher_dir: str, source: dict) -> Optional[dict]:
    """The raw labels in ``teacher_dir`` scored against the pool's held-back
    labels (``pseudo_quality.gt``) at each of ``thresholds``; cached in
    ``quality_<pool>.json``. None before the raw labels exist."""
    spec = study.pseudo_quality
    gt = _fmt(spec['gt'], dict(study.get('variables') or {}))
    return _scored(_raw_file(teacher_dir, source), gt,
                   sorted(spec.get('thresholds', [0.3, 0.5, 0.7])),
                   _quality_file(teacher_dir, source), 'pseudo_quality.gt',
                   dict(teacher=teacher))


def _test_source(study) -> dict:
    spec, variables = study.test_quality, dict(study.get('variables') or {})
    missing = [k for k in ('ann_file', 'img_prefix') if k not in spec]
    if missing:
        raise UserInputError(f'test_quality needs {" and ".join(missing)} (a labelled set: '
                             'ann_file=COCO json, img_prefix=its image folder)')
    return {k: _fmt(spec[k], variables) for k in ('ann_file', 'img_prefix')}


def _test_detections(study, stages, run, seed: int, work_dir: str) -> None:
    """The study's ``test_quality``: the run's own detections of a labelled
    set (``ann_file``, ``img_prefix``) at a low ``score_thr`` (a stage), for
    :func:`detection_quality_reports` to score like pseudo labels."""
    if not study.get('test_quality') or _task(run) != 'det':
        return
    folder = run_dir(work_dir, run['name'], seed)
    source = _test_source(study)
    raw = _raw_file(folder, source)
    ckpt = last_checkpoint(folder) or osp.join(folder, 'last.pth')
    stages.label(osp.relpath(raw, work_dir), 'det', run['config'], ckpt, source, raw,
                 [study.test_quality.get('score_thr', 0.05)],
                 options=_run_options(study, run, {}))


def detection_quality_reports(study, results: List[dict], work_dir: str) -> List[dict]:
    """Each run's (and seed's) detections of the ``test_quality`` set, scored
    against its labels per threshold and class (size bias included)."""
    if not study.get('test_quality'):
        return []
    spec, source = study.test_quality, _test_source(study)
    reports = []
    for result in results:
        folder = run_dir(work_dir, result['name'], result['seed'])
        report = _scored(_raw_file(folder, source), source['ann_file'],
                         sorted(spec.get('thresholds', [0.1, 0.3, 0.5])),
                         _quality_file(folder, source), 'test_quality.ann_file',
                         dict(teacher=result['name']))
        if report:
            reports.append(dict(report, seed=result['seed']))
    return reports


def pseudo_label_counts(study, results: List[dict], work_dir: str) -> List[dict]:
    """Images and boxes in each student's pseudo labels (one row per teacher
    file; masks: images only), for the report."""
    rows, seen = [], set()
    by_name = {r['name']: r for r in study.runs}
    for result in results:
        run = by_name.get(result['name'])
        if not run or not run.get('teacher'):
            continue
        _, path = _pseudo_source(study, run, result['seed'], work_dir)
        if path in seen or not osp.exists(path):
            continue
        seen.add(path)
        row = dict(teacher=run['teacher'], seed=result['seed'], file=osp.basename(path))
        if osp.isdir(path):  # segmentation masks
            summary = json.load(open(osp.join(path, 'summary.json')))
            rows.append(dict(row, images=summary['images'], boxes=None))
            continue
        labels = json.load(open(path))
        rows.append(dict(row, images=len(labels.get('images', [])),
                         boxes=len(labels.get('annotations', []))))
    return rows


def pseudo_quality_reports(study, results: List[dict], work_dir: str) -> List[dict]:
    """The quality report of each teacher (and seed) that labelled for a
    student among ``results``, and the ``auto`` thresholds its students chose."""
    reports, seen = [], set()
    by_name = {r['name']: r for r in study.runs}
    for result in results:
        run = by_name.get(result['name'])
        if not run or not run.get('teacher') or _task(run) != 'det':
            continue
        source, labels = _pseudo_source(study, run, result['seed'], work_dir)
        path = _quality_file(osp.dirname(labels), source)
        report = (quality_report(study, run['teacher'], osp.dirname(labels), source)
                  if path not in seen and study.get('pseudo_quality') else None)
        if report:
            seen.add(path)
            reports.append(dict(report, seed=result['seed']))
        auto = (json.load(open(labels)).get('info', {}).get('score_thr_auto')
                if run.get('score_thr') == 'auto' and osp.isfile(labels) else None)
        if auto and labels not in seen:
            seen.add(labels)
            reports.append(dict(teacher=run['teacher'], seed=result['seed'], auto=auto))
    return reports


def _run_options(study, run, extra: dict) -> dict:
    variables = dict(study.get('variables') or {})
    options = {k: _fmt(v, variables) for k, v in (study.get('common_options') or {}).items()}
    options.update({k: _fmt(v, variables) for k, v in (run.get('options') or {}).items()})
    options.update(extra)
    return options


def _student_options(study, stages, run, seed, work_dir) -> dict:
    """The options pointing a student at its teacher's labels (``pseudo_key``
    names another key for a detection run whose pseudo part lives elsewhere)."""
    pseudo = _teacher_pseudo_labels(study, stages, run, seed, work_dir)
    if run.get('pseudo_key'):
        return {run['pseudo_key']: pseudo}
    source, _ = _pseudo_source(study, run, seed, work_dir)
    img_root = osp.join(ROOT, source['img_dir']) if _task(run) == 'seg' else None
    return student_options(_task(run), pseudo, img_root)


def train_run(study, stages, run, seed: int, work_dir: str,
              train_options: dict) -> Optional[dict]:
    """Train one run with one seed (skipped when done); returns its result."""
    folder = run_dir(work_dir, run['name'], seed)
    result_file = osp.join(folder, 'result.json')
    key = f'{run["name"]}/seed{seed}'
    if stages.record(key) and osp.isfile(result_file):
        _test_detections(study, stages, run, seed, work_dir)
        return json.load(open(result_file))
    extra = dict(train_options, **{'randomness.seed': seed})
    if run.get('teacher'):
        extra.update(_student_options(study, stages, run, seed, work_dir))
    start = time.time()
    stages.train(key, run['config'], folder, _run_options(study, run, extra))
    if stages.dry_run:
        return None
    curve_file = osp.join(folder, 'curve.json')
    # a run whose every validation detected nothing has final AP 0 (the report's
    # metrics filled in), not no result; None only when no validation ran
    curve = load_curve(folder) if osp.isfile(curve_file) else None
    val_keys = [k for k in reported_metrics(study) if not k.startswith('train/')]
    final = final_metrics(curve, val_keys) if curve else None
    if not final:
        raise UserInputError(f'{run["name"]} seed {seed}: training ended without a validation; '
                             f'see {osp.join(folder, "train.log")}')
    # with what the last train step logged (train/pseudo_weight of a student)
    final = dict(final, **final_train_scalars(curve))
    result = dict(name=run['name'], seed=seed, config=run['config'],
                  factors=dict(run.get('factors') or {}), final=final,
                  minutes=train_minutes(folder) or round((time.time() - start) / 60, 2))
    atomic_write_json(result, result_file, indent=1)
    _test_detections(study, stages, run, seed, work_dir)
    return result


def _selected(study, only: Optional[List[str]]) -> list:
    if not only:
        return list(study.runs)
    unknown = set(only) - {r['name'] for r in study.runs}
    if unknown:
        raise UserInputError(f'--only: no run named {", ".join(sorted(unknown))}')
    wanted, by_name = set(only), {r['name']: r for r in study.runs}
    for name in list(only):  # with their teachers
        while by_name[name].get('teacher'):
            name = by_name[name]['teacher']
            wanted.add(name)
    return [r for r in study.runs if r['name'] in wanted]


def cpu_model(cpuinfo: str = '/proc/cpuinfo') -> str:
    """The CPU's model name ('unknown' where /proc/cpuinfo does not say)."""
    try:
        with open(cpuinfo) as f:
            names = [line.split(':', 1)[1].strip() for line in f
                     if line.lower().startswith('model name')]
    except OSError:
        names = []
    return names[0] if names else 'unknown'


def machine() -> str:
    """Where the runs ran. The CPU model and torch's kernel level (AVX2,
    AVX512, ...) are named: machines of one kind that differ in them sum in
    another order, so their runs are not bit-identical."""
    import torch
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else \
        f'CPU only, {os.cpu_count()} cores'
    return (f'{platform.machine()}, {device} ({cpu_model()}, torch kernels '
            f'{torch.backends.cpu.get_cpu_capability()}), Python {platform.python_version()}, '
            f'torch {torch.__version__}')


def main(argv=None):
    args = parse_args(argv)
    study = load_study(args.study, args.cfg_options)
    name = osp.splitext(osp.basename(args.study))[0]
    work_dir = args.work_dir or study.get('work_dir') or osp.join('work_dirs', 'studies', name)
    work_dir = osp.abspath(work_dir)
    jobs = [(run, seed) for run in _selected(study, args.only)
            for seed in args.seeds or run.get('seeds') or study.get('seeds') or [0]]
    stages = StageRunner(osp.join(work_dir, 'stages.json'), gpus=args.gpus, log_files=True,
                         dry_run=args.dry_run, prefix='  ')
    if args.restart:
        stages.restart()
    command = 'python tools/run_study.py ' + ' '.join(sys.argv[1:])
    header = dict(command=command, machine=machine() if not args.dry_run else '',
                  planned=[(run['name'], seed) for run, seed in jobs])
    if args.report_only:
        done = [osp.join(run_dir(work_dir, run['name'], seed), 'result.json')
                for run, seed in jobs]
        results = [json.load(open(f)) for f in done if osp.isfile(f)]
        record, recorded, planned = results_record(args.publish, name), None, set(header['planned'])
        if not results and record and osp.isfile(record):  # the runs' folders are gone
            recorded = json.load(open(record))
            results = [r for r in recorded['results'] if (r['name'], r['seed']) in planned]
            header['machine'] = recorded.get('machine', header['machine'])  # where they ran
            print(f'{len(results)} results from {record} (no run folder in {work_dir})')
        if not results and not recorded and args.publish:  # published before records were kept
            readings_from_page(study, name, args.publish, planned)
            return
        write_report(study, name, work_dir, args.figures_dir, results, publish=args.publish,
                     recorded=recorded, **header)
        print(f'{len(results)} of {len(jobs)} runs finished; '
              f'results: {osp.join(work_dir, "results.md")}')
        return
    check_inputs(study, args.study, _selected(study, args.only))
    run_setup(study, stages, work_dir)
    results, lock, queue = [], threading.Lock(), JobQueue(jobs)
    for run, _ in jobs:  # parse each config once, here: mmengine's loading is not thread-safe
        _task(run)

    def work():
        while True:
            taken = queue.take()
            if taken is None:
                return
            number, job = taken
            run, seed = job
            with lock:
                print(f'[{number}/{len(jobs)}] {run["name"]} seed {seed}', flush=True)
            try:
                result = train_run(study, stages, run, seed, work_dir, args.train_options)
            except BaseException as e:  # the other workers finish their job, then stop
                queue.finish(job, e)
                return
            queue.finish(job)
            if result is None:
                continue
            with lock:  # one report at a time (matplotlib is not thread-safe)
                results.append(result)
                final = {k: v for k, v in result['final'].items() if k != 'iter'}
                print(f'  done: {run["name"]} seed {seed}: {json.dumps(final)} '
                      f'({result["minutes"]} min)', flush=True)
                write_report(study, name, work_dir, args.figures_dir, results,
                             publish=args.publish, **header)

    workers = [threading.Thread(target=work, daemon=True) for _ in range(args.jobs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if queue.error is not None:
        raise queue.error
    if not args.dry_run:
        print(f'results: {osp.join(work_dir, "results.md")}')


def readings_from_page(study, name: str, publish: Sequence[str], planned: set) -> None:
    """Re-generate the study's readings from the **Every run** table of the
    first ``publish`` file (the runs' folders and record are gone) and rewrite
    only the readings in every ``publish`` file: the rest of the report is
    not on the page to re-render."""
    results = [r for r in published_results(publish[0], name, study)
               if (r['name'], r['seed']) in planned]
    print(f'{len(results)} results from the "Every run" table of {publish[0]} (as published, '
          f'0.1 a point; no run folder, no study_results record): rewriting the readings only')
    full, headline = render_readings(study, results), render_readings(study, results, True)
    for path in publish:
        print(f'  {path}: {publish_readings(path, name, full, headline)} readings list(s) '
              'rewritten')


def results_record(publish: Sequence[str], name: str) -> Optional[str]:
    """Where ``--publish`` keeps the study's results (``study_results/NAME.json``
    beside the first published file), so that a later ``--report-only
    --publish`` re-renders the blocks after the run folders are gone."""
    if not publish:
        return None
    return osp.join(osp.dirname(osp.abspath(publish[0])), 'study_results', f'{name}.json')


def write_report(study, name: str, work_dir: str, figures_dir: Optional[str],
                 results: List[dict], command: str, machine: str,
                 publish: Sequence[str] = (), planned: Sequence[Tuple[str, int]] = (),
                 recorded: Optional[dict] = None) -> str:
    """Write WORK_DIR/results.md (and the figures), and the study's blocks in
    each ``publish`` file; ``planned`` (run, seed) pairs without a result are
    listed as not run. ``recorded`` (a :func:`results_record`'s content)
    stands in for what the run folders no longer hold: curves, pseudo-label
    counts and quality reports. Returns the results.md path."""
    finished = {(r['name'], r['seed']) for r in results}
    missing = [job for job in planned if tuple(job) not in finished]
    by_name = {run['name']: run for run in study.runs}  # the study's factors, as they are now
    results = [dict(r, factors=dict(by_name[r['name']].get('factors') or {}))
               if r['name'] in by_name else r for r in results]
    figures_dir = osp.abspath(figures_dir or osp.join(work_dir, 'figures'))
    recorded = recorded or {}
    curves, drawn = {}, {run for fig in study.get('figures') or []
                         if fig.get('kind', 'curves') == 'curves' for run in fig['runs']}
    for r in results:  # the first seed's curve of each run a curve figure draws
        folder = run_dir(work_dir, r['name'], r['seed'])
        if r['name'] in drawn and r['name'] not in curves:
            curves[r['name']] = load_curve(folder) if osp.isdir(folder) else \
                (recorded.get('curves') or {}).get(r['name'])
    curves = {k: v for k, v in curves.items() if v is not None}
    figures = study_figures(study, results, curves, figures_dir)
    md_path = osp.join(work_dir, 'results.md')
    parts = dict(pseudo=pseudo_label_counts(study, results, work_dir),
                 quality=pseudo_quality_reports(study, results, work_dir),
                 detection=detection_quality_reports(study, results, work_dir))
    parts = {k: v or recorded.get(k) or v for k, v in parts.items()}
    text = render_results(study, name, results, figures, osp.dirname(md_path), command, machine,
                          missing=missing, **parts)
    atomic_write_text(text, md_path)
    record = results_record(publish, name)
    if record:  # what a later --report-only re-renders the blocks from, without the runs
        old = json.load(open(record)) if osp.isfile(record) else {}
        kept = {(r['name'], r['seed']): r for r in old.get('results', [])}
        kept.update({(r['name'], r['seed']): r for r in results})  # --only runs: merged
        atomic_write_json(dict(generator='tools/run_study.py', study=name, command=command,
                               machine=machine, results=list(kept.values()),
                               curves=dict(old.get('curves') or {}, **curves),
                               **json.loads(json.dumps(parts))), record, indent=1)
    for path in publish:
        text = render_results(study, name, results, figures, osp.dirname(osp.abspath(path)),
                              command, machine, missing=missing, **parts)
        publish_blocks(path, name, text, render_readings(study, results, headline=True))
    return md_path


if __name__ == '__main__':
    run_main(main)
