"""The skeleton shared by the offline labelling tools (``tools/pseudo_label.py``
and ``tools/pseudo_mask.py``): distributed split, resume from part files,
progress, the skipped-file report and the merge on rank 0. Each tool keeps
only its per-image work and its output format."""
import json
import os.path as osp
import shutil
import sys
import time
from typing import Callable, Iterable, List, Optional, Tuple

from mmengine.dist import barrier, is_main_process
from mmengine.utils import ProgressBar

from projects.utils.errors import UserInputError
from projects.utils.fingerprint import check_same_run
from projects.utils.io import atomic_write_json
from projects.utils.unreadable_images import bad_image_limit

from .inference import PartStore, init_tool_dist

FINGERPRINT = 'fingerprint.json'


class _LogProgress:
    """Progress for a log file: one line every ``step`` of ``total`` (a
    terminal's bar redraws in place, which a file keeps as one long line)."""

    def __init__(self, total: int, step: float = 0.1) -> None:
        self.total, self.step, self.done = total, step, 0
        self.next, self.start = step * total, time.time()

    def update(self) -> None:
        self.done += 1
        if self.done >= self.next or self.done == self.total:
            elapsed = time.time() - self.start
            print(f'labelled {self.done}/{self.total} images, {elapsed:.0f} s, '
                  f'ETA {elapsed / self.done * (self.total - self.done):.0f} s', flush=True)
            self.next = self.done + self.step * self.total


class OfflineLabelRun:
    """One labelling run over a list of images, in one or N processes.

    Every image gets exactly one record, appended to this rank's part file in
    ``parts_path + '.parts/'`` as soon as it is labelled: ``{'image': {'id',
    'file_name'}, ...}``, or ``{'image': ..., 'error': reason}`` for a file
    that could not be read (listed, never fatal). A rerun skips the images
    that have a record (or that ``done`` says are finished) and labels the
    rest. Rank 0 merges when every rank is through; :meth:`finish` removes the
    part files once the tool has written its output atomically.

    A run resumes only what the same run started: :meth:`claim` stores a
    fingerprint of what makes the output (the image list with sizes and
    mtimes, the checkpoint, the options) beside the parts, and a later run
    with another fingerprint is refused in one line naming what changed
    (``restart=True``, the tools' ``--restart``, starts afresh).

    Args:
        parts_path (str): the part files go to ``parts_path + '.parts/'``.
        launcher (str): ``'none'``, ``'pytorch'`` or ``'slurm'`` (gloo on CPU).
        restart (bool): remove the parts of an earlier run first.
    """

    def __init__(self, parts_path: str, launcher: str = 'none', restart: bool = False) -> None:
        self.rank, self.world = init_tool_dist(launcher)
        if restart and self.rank == 0:
            shutil.rmtree(parts_path + '.parts', ignore_errors=True)
        barrier()
        self.store = PartStore(parts_path, self.rank)
        self.seconds, self.labelled = 0.0, 0

    def claim(self, fingerprint: dict) -> None:
        """Record ``fingerprint`` for these parts, or refuse parts another run made."""
        path = osp.join(self.store.dir, FINGERPRINT)
        old = json.load(open(path)) if osp.exists(path) else None
        check_same_run(old, fingerprint, self.store.dir, has_work=bool(self.store.records()))
        barrier()
        if self.rank == 0 and not osp.exists(path):
            atomic_write_json(fingerprint, path)
        barrier()

    def share(self, images: List[dict],
              done: Optional[Callable[[dict], bool]] = None) -> List[dict]:
        """This rank's share of the images not labelled yet."""
        finished = self.store.records()
        barrier()  # every rank has read the parts before any rank appends
        todo = [im for im in images
                if im['id'] not in finished and not (done and done(im))]
        if self.rank == 0 and len(todo) < len(images):
            print(f'resuming: {len(images) - len(todo)} of {len(images)} images already '
                  'labelled', flush=True)
        return todo[self.rank::self.world]

    def label(self, records: Iterable[dict], total: int) -> None:
        """Store each record as it comes (``total`` sizes the progress bar)."""
        bar = None
        if self.rank == 0 and total:
            bar = ProgressBar(total) if sys.stdout.isatty() else _LogProgress(total)
        start = time.time()
        for record in records:
            self.store.append(record)
            self.labelled += 1
            if bar:
                bar.update()
        self.store.close()
        self.seconds = time.time() - start

    def merge(self, images: List[dict], done: Optional[Callable[[dict], bool]] = None,
              max_bad_images=None) -> Optional[Tuple[List[dict], List[dict]]]:
        """On rank 0, once every rank is through: (labelled records in
        ``images`` order, skipped ``{file_name, error}``); None elsewhere.
        More unreadable images than ``max_bad_images`` (training's rule: a
        fraction or a count) is a one-line :class:`UserInputError`."""
        barrier()
        if not is_main_process():
            return None
        records = self.store.records()
        missing = [im for im in images if im['id'] not in records and not (done and done(im))]
        if missing:
            raise RuntimeError(f'{len(missing)} images were not labelled; rerun to resume')
        ordered = [records[im['id']] for im in images if im['id'] in records]
        skipped = [dict(file_name=r['image']['file_name'], error=r['error'])
                   for r in ordered if 'error' in r]
        if max_bad_images is not None:
            limit = bad_image_limit(max_bad_images, len(images))
            if len(skipped) > limit:
                first = ', '.join(f'{s["file_name"]} ({s["error"]})' for s in skipped[:3])
                raise UserInputError(
                    f'{len(skipped)} of {len(images)} images unreadable, more than '
                    f'--max-bad-images allows ({limit}); first: {first}; fix or remove them '
                    'and rerun with --restart, or raise --max-bad-images')
        return [r for r in ordered if 'error' not in r], skipped

    def finish(self, summary: str, skipped: List[dict]) -> None:
        """Remove the part files; print ``summary``, the speed and the skipped files."""
        self.store.finish()
        print(f'\n{summary}; {self.labelled / max(self.seconds, 1e-9):.1f} img/s on rank 0')
        for s in skipped:
            print(f'  skipped {s["file_name"]}: {s["error"]}')
