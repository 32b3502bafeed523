"""Self-training stages run by the real tools, one resume record per stage.

``tools/self_train.py``, ``tools/run_study.py`` and ``tools/quickstart.py``
drive teacher -> pseudo labels -> student through this class: it trains a
stage (resuming an interrupted one), finds its checkpoint, labels images with
boxes (``tools/pseudo_label.py``) or masks (``tools/pseudo_mask.py``) in one
or N processes, and points a student's pseudo part at the result.
"""
import fcntl
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence, Union

from projects.utils.errors import UserInputError
from projects.utils.fingerprint import check_same_run, file_signature, images_signature
from projects.utils.image_folder import list_image_folder
from projects.utils.io import atomic_write_json

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PSEUDO_PART = 'train_dataloader.dataset.pseudo'
Options = Union[Dict[str, object], Sequence[str]]
STAGE_FINGERPRINT = 'stage_fingerprint.json'  # in a training stage's folder, from its start


def python() -> str:
    """The interpreter of the stages: ``PYTHON`` when it is an absolute path to
    an executable (as ``tools/dist_*.sh`` read it), else this one."""
    given = os.environ.get('PYTHON', '')
    return given if osp.isabs(given) and os.access(given, os.X_OK) else sys.executable


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint named in ``work_dir/last_checkpoint``, if it exists."""
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    ckpt = open(path).read().strip()
    return ckpt if osp.isfile(ckpt) else None


def config_task(config: str) -> str:
    """``'seg'`` for an mmseg config (its ``default_scope``), else ``'det'``."""
    from projects.utils import load_config
    return 'seg' if load_config(config).get('default_scope', 'mmdet') == 'mmseg' else 'det'


def student_options(task: str, pseudo: str, img_root: Optional[str] = None) -> Dict[str, str]:
    """``--cfg-options`` pointing a student's pseudo part at a label file
    (detection) or a mask folder (segmentation) of the images in ``img_root``
    (detection: omitted when the config's own image prefix applies)."""
    if task == 'seg':
        return {f'{PSEUDO_PART}.data_prefix.img_path': img_root,
                f'{PSEUDO_PART}.data_prefix.seg_map_path': pseudo}
    options = {f'{PSEUDO_PART}.ann_file': pseudo}
    if img_root:
        options[f'{PSEUDO_PART}.data_prefix.img'] = img_root.rstrip('/') + '/'
    return options


def _option_value(value) -> str:
    """A value as ``DictAction`` reads it back: lists as JSON, tuples in parentheses."""
    if isinstance(value, tuple):
        return '(' + ','.join(_option_value(v) for v in value) + ')'
    return json.dumps(value) if isinstance(value, list) else str(value)


def options_args(options: Optional[Options]) -> List[str]:
    """``['--cfg-options', 'k=v', ...]`` from a dict (lists as JSON) or ``k=v`` strings."""
    if not options:
        return []
    if isinstance(options, dict):
        options = [f'{k}={_option_value(v)}' for k, v in options.items()]
    return ['--cfg-options'] + list(options)


def _source_signature(source: dict):
    """The unlabelled images a labelling stage reads: a folder's listing (names,
    sizes, mtimes), or the json's signature and the image folder."""
    img_dir = source.get('img_dir')
    if img_dir:
        return images_signature(list_image_folder(img_dir), img_dir) if osp.isdir(img_dir) \
            else file_signature(img_dir)
    prefix = source.get('img_prefix')
    return [file_signature(source.get('ann_file')), prefix and osp.realpath(prefix)]


def _read_state(path: str) -> dict:
    try:
        with open(path) as f:
            state = json.load(f)
    except json.JSONDecodeError as e:
        raise UserInputError(f'{path}: not valid JSON ({e}); delete it to run every stage again')
    if not isinstance(state, dict):
        raise UserInputError(f'{path}: not a stage record (a JSON object)')
    return state


class StageRunner:
    """Runs stages and keeps one record per finished stage in ``state_file``.

    A stage whose record exists is skipped and its record returned; an
    interrupted training stage resumes from its last checkpoint.

    Args:
        state_file (str): JSON file of the records, ``{stage key: record}``.
        gpus (int): processes per stage (``tools/dist_*.sh`` when > 1).
        log_files (bool): send each tool's output to ``<tool>.log`` in the
            stage's folder (its tail is shown on failure), not to the terminal.
        dry_run (bool): print the commands only.
        prefix (str): printed before "KEY: done".
    """

    def __init__(self, state_file: str, gpus: int = 1, log_files: bool = False,
                 dry_run: bool = False, prefix: str = '[stage]') -> None:
        if gpus < 1:
            raise UserInputError(f'gpus must be >= 1, got {gpus}')
        self.state_file, self.gpus, self.log_files = osp.abspath(state_file), gpus, log_files
        self.dry_run, self.prefix = dry_run, prefix
        self.state = _read_state(state_file) if osp.isfile(state_file) else {}

    def restart(self) -> None:
        """Start afresh (``--restart``): the earlier run's record and stage
        folders move into ``previous-<time>/`` beside them; nothing is deleted."""
        if not self.dry_run and (self.state or osp.isfile(self.state_file)):
            self._move_aside()

    def _move_aside(self) -> None:
        """The earlier run's record and stage folders into ``previous-<time>/``."""
        root = osp.dirname(self.state_file)
        aside = osp.join(root, time.strftime('previous-%Y%m%d-%H%M%S'))
        os.makedirs(aside)
        for name in os.listdir(root):
            if not name.startswith('previous-') and not name.endswith('.lock'):
                os.rename(osp.join(root, name), osp.join(aside, name))
        print(f'{self.prefix} --restart: the earlier run is kept in {aside}', flush=True)
        self.state = {}

    def record(self, key: str) -> Optional[dict]:
        """The record of a finished stage, or None."""
        return self.state.get(key)

    def save(self, key: str, **record) -> dict:
        """Record ``key`` as finished. The file is rewritten atomically under a
        lock, merged with what other processes sharing it (a study run as one
        process per seed) recorded meanwhile."""
        os.makedirs(osp.dirname(self.state_file), exist_ok=True)
        with open(self.state_file + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if osp.isfile(self.state_file):
                self.state.update({k: v for k, v in _read_state(self.state_file).items()
                                   if k not in self.state})
            self.state[key] = record
            atomic_write_json(self.state, self.state_file, indent=1)
        return record

    def _same_stage(self, key: str, fingerprint: dict, folder: Optional[str] = None) -> None:
        """Refuse to reuse or resume stage ``key`` that other inputs made: its
        record (or, for an interrupted training, the ``STAGE_FINGERPRINT`` in
        its ``folder``; checkpoints there without one are an earlier version's)
        holds the fingerprint of what made it."""
        found = self.record(key)
        if found is not None:
            check_same_run(found.get('fingerprint'), fingerprint,
                           f'{self.state_file} (stage {key})', has_work=True)
        elif folder is not None:
            marker = osp.join(folder, STAGE_FINGERPRINT)
            old = json.load(open(marker)) if osp.isfile(marker) else None
            check_same_run(old, fingerprint, folder, has_work=bool(last_checkpoint(folder)))

    def _done(self, key: str) -> Optional[dict]:
        found = self.record(key)
        if found:
            print(f'{self.prefix} {key}: done', flush=True)
        return found

    def run_tool(self, tool: str, args: List[str], log_dir: str) -> None:
        """``tools/<tool>.py ARGS`` (or ``dist_<tool>.sh`` with ``gpus`` > 1) from the
        repo root; output to ``log_dir/<tool>.log`` when ``log_files``."""
        if self.gpus > 1:  # dist_*.sh CONFIG [CHECKPOINT] GPUS [args]
            n = 2 if tool.startswith('pseudo') else 1
            cmd = ['bash', osp.join('tools', f'dist_{tool}.sh')] + args[:n] + \
                [str(self.gpus)] + args[n:]
        else:
            cmd = [osp.join('tools', f'{tool}.py')] + args
        self.run_command(cmd, osp.join(log_dir, f'{tool}.log') if self.log_files else None)

    def run_command(self, cmd: List[str], log: Optional[str] = None) -> None:
        """Run ``cmd`` from the repo root (a ``.py`` first item runs with this
        Python); output to ``log`` if given. A failure is one :class:`UserInputError`."""
        if cmd[0].endswith('.py'):
            cmd = [python()] + cmd
        print(f'  $ {" ".join(cmd)}', flush=True)
        if self.dry_run:
            return
        env = dict(os.environ, PYTHON=python(),
                   PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
        if log:
            os.makedirs(osp.dirname(log), exist_ok=True)
            with open(log, 'a') as out:
                code = subprocess.call(cmd, cwd=ROOT, env=env, stdout=out,
                                       stderr=subprocess.STDOUT)
        else:
            code = subprocess.call(cmd, cwd=ROOT, env=env)
        if code != 0:
            tail = ''.join(open(log).readlines()[-15:]) if log else ''
            name = next((osp.basename(c) for c in cmd[1:] if c.endswith(('.py', '.sh'))), cmd[0])
            raise UserInputError(f'{name} failed (exit {code}; rerun to resume)' +
                                 (f', last lines of {log}:\n{tail}' if log else ''))

    def given(self, key: str, config: str, checkpoint: str) -> str:
        """Record a checkpoint the user gives (a teacher not trained here) as
        stage ``key``; a rerun with another checkpoint file is refused."""
        checkpoint = osp.abspath(checkpoint)
        fingerprint = dict(config=file_signature(config), checkpoint=file_signature(checkpoint))
        if not self.dry_run:
            self._same_stage(key, fingerprint)
            if not self.record(key):
                self.save(key, checkpoint=checkpoint, config=config, work_dir=None,
                          fingerprint=fingerprint)
        return checkpoint

    def train(self, key: str, config: str, work_dir: str,
              options: Optional[Options] = None) -> Optional[str]:
        """Train (or resume) one model; returns its final checkpoint."""
        work_dir = osp.abspath(work_dir)
        fingerprint = dict(config=file_signature(config), options=options_args(options))
        if not self.dry_run:
            self._same_stage(key, fingerprint, work_dir)
        found = self._done(key)
        if found:
            return found['checkpoint']
        resume = ['--resume'] if last_checkpoint(work_dir) else []
        if not self.dry_run:
            atomic_write_json(fingerprint, osp.join(work_dir, STAGE_FINGERPRINT))
        self.run_tool('train', [config, '--work-dir', work_dir] + resume +
                      options_args(options), work_dir)
        if self.dry_run:
            return None
        ckpt = last_checkpoint(work_dir)
        if not ckpt:
            raise UserInputError(f'{key}: training ended without a checkpoint in {work_dir}')
        return self.save(key, checkpoint=ckpt, config=config, work_dir=work_dir,
                         fingerprint=fingerprint)['checkpoint']

    def label(self, key: str, task: str, config: str, checkpoint: str, source: dict,
              out: str, score_thr: Sequence[Union[float, str]], tta: bool = False,
              options: Optional[Options] = None, auto: Optional[dict] = None) -> str:
        """Pseudo-label ``source`` (``img_dir``, or ``ann_file`` + ``img_prefix``)
        with a teacher: a COCO json at ``out`` (detection) or a folder of PNG
        masks (segmentation: ``img_dir`` only, one threshold); returns ``out``.
        ``score_thr=['auto']`` takes ``auto=dict(holdout_ann, holdout_prefix,
        target_precision=0.8)`` (``pseudo_label.py --score-thr auto``)."""
        fingerprint = dict(config=file_signature(config), checkpoint=file_signature(checkpoint),
                           images=_source_signature(source), score_thr=list(score_thr), tta=tta,
                           options=options_args(options), auto=auto)
        if not self.dry_run:
            self._same_stage(key, fingerprint)
        found = self._done(key)
        if found:
            return found.get('file') or found['dir']
        if task == 'seg':
            if 'img_dir' not in source or len(score_thr) != 1:
                raise UserInputError('segmentation pseudo masks take an image folder and one '
                                     'threshold (a per-pixel confidence), not one per class')
            views = ['--flip'] if tta else ['--scales', '1.0']
            self.run_tool('pseudo_mask', [config, checkpoint, '--img-dir', source['img_dir'],
                                          '--out-dir', out, '--conf-thr', str(score_thr[0])] +
                          views + options_args(options), osp.dirname(out))
            return out if self.dry_run else self.save(key, dir=out, fingerprint=fingerprint)['dir']
        src = ['--img-dir', source['img_dir']] if 'img_dir' in source else \
            ['--ann-file', source['ann_file'], '--img-prefix', source['img_prefix']]
        thr = ['--score-thr'] + [str(v) for v in score_thr]
        if list(score_thr) == ['auto']:
            if not auto or not {'holdout_ann', 'holdout_prefix'} <= set(auto):
                raise UserInputError(f'{key}: score_thr auto needs a labelled held-out split '
                                     '(auto=dict(holdout_ann=..., holdout_prefix=...))')
            thr += ['--holdout-ann', auto['holdout_ann'], '--holdout-prefix',
                    auto['holdout_prefix'], '--target-precision',
                    str(auto.get('target_precision', 0.8))]
        self.run_tool('pseudo_label', [config, checkpoint] + src + ['--out', out] + thr +
                      (['--tta'] if tta else []) + options_args(options), osp.dirname(out))
        return out if self.dry_run else self.save(key, file=out, fingerprint=fingerprint)['file']
