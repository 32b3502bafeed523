"""Shared pieces of the offline labelling tools: image lists, a loader that
skips unreadable files, building a model from config + checkpoint, and the
append-only part files that let an interrupted run resume."""
import json
import os
import os.path as osp
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from torch.utils.data import DataLoader, Dataset

from projects.utils.coco_json import load_coco_json
from projects.utils.errors import UserInputError
from projects.utils.io import disk_full


def images_from_coco(ann_file: str) -> Tuple[List[dict], List[dict]]:
    """``images`` (id, file_name) and ``categories`` of a COCO json."""
    data = load_coco_json(ann_file, required=('images',))  # every image has an id
    for i, img in enumerate(data['images']):
        if 'file_name' not in img:
            raise UserInputError(f'{ann_file}: images[{i}] has no "file_name"')
    if not data['images']:
        raise UserInputError(f'{ann_file}: "images" is empty')
    return [dict(id=im['id'], file_name=im['file_name']) for im in data['images']], \
        data.get('categories', [])


class SafeImageDataset(Dataset):
    """Runs a test pipeline on image files; a file that fails to load or
    transform becomes ``{'bad': path, 'error': reason}`` instead of an
    exception, so one broken file never stops the run."""

    def __init__(self, images: Sequence[dict], img_prefix: str,
                 pipeline: Callable[[dict], dict]) -> None:
        self.images, self.img_prefix, self.pipeline = list(images), img_prefix, pipeline

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, idx: int) -> dict:
        info = self.images[idx]
        path = osp.join(self.img_prefix, info['file_name'])
        try:
            out = self.pipeline(dict(img_path=path, img_id=info['id']))
            if out is None:
                raise ValueError('pipeline returned None')
            return dict(out, image_info=info)
        except Exception as e:  # noqa: BLE001  (listed and skipped, by design)
            return dict(bad=info, error=f'{type(e).__name__}: {e}'.splitlines()[0][:200])


def safe_collate(batch: List[dict]) -> Tuple[Optional[dict], List[dict], List[dict]]:
    """Split a batch into (collated good samples or None, infos, bad)."""
    good = [b for b in batch if 'bad' not in b]
    bad = [dict(b['bad'], error=b['error']) for b in batch if 'bad' in b]
    infos = [g.pop('image_info') for g in good]
    return (pseudo_collate(good) if good else None), infos, bad


def build_loader(dataset: Dataset, batch_size: int, num_workers: int) -> DataLoader:
    return DataLoader(dataset, batch_size=batch_size, num_workers=num_workers,
                      shuffle=False, collate_fn=safe_collate)


def strip_annotation_loading(pipeline: Iterable[dict]) -> List[dict]:
    """A test pipeline without ``LoadAnnotations`` steps (no labels here)."""
    return [t for t in pipeline if 'Annotations' not in t.get('type', '')]


def load_model_checkpoint(model: torch.nn.Module, checkpoint: str, config: str) -> dict:
    """Load weights strictly; a missing, corrupt or unsafe file, or another
    architecture, is a one-line :class:`UserInputError`."""
    from projects.compat.checkpoint_errors import describe_mismatch
    if '://' not in checkpoint and not osp.isfile(checkpoint):
        raise UserInputError(f'checkpoint not found: {checkpoint}')
    from mmengine.runner.checkpoint import _load_checkpoint_to_model

    from projects.compat.checkpoint_loading import load_checkpoint_safely
    ckpt = load_checkpoint_safely(checkpoint, map_location='cpu')
    drop_joint_classifier(model, ckpt)
    try:
        return _load_checkpoint_to_model(model, ckpt, strict=True, logger='silent')
    except RuntimeError as e:
        raise UserInputError(describe_mismatch(checkpoint, config, e)) from None


def drop_joint_classifier(model: torch.nn.Module, checkpoint: dict) -> None:
    """Leave joint training's ``cls_head.*`` out of a checkpoint loaded into a
    plain detector (a ``JointTrainingDetector`` checkpoint is a detector's plus
    the classifier; :mod:`projects.models.detectors.joint_training_detector`)."""
    if hasattr(model, 'cls_head'):
        return
    state = checkpoint.get('state_dict', checkpoint)
    dropped = [k for k in state if k.startswith('cls_head.')]
    for key in dropped:
        state.pop(key)
    if dropped:
        print_log(f'left out the joint-training classifier ({len(dropped)} cls_head '
                  'tensors): the detector does not use it', logger='current')


def check_checkpoint_fits(cfg: Config, checkpoint: str, config: str) -> None:
    """Strictly load ``checkpoint`` into a fresh model of ``cfg`` (on the CPU),
    so that a checkpoint of another architecture is a one-line
    :class:`UserInputError` rather than a silently random model."""
    from mmengine.registry import MODELS, init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    model = MODELS.build(cfg.model)
    load_model_checkpoint(getattr(model, 'module', model), checkpoint, config)


class PartStore:
    """Append-only JSON-lines records in ``<out>.parts/``, one file a rank.

    On restart, every complete line of every part file counts as done (a
    line cut by a kill is ignored and its image redone). ``finish`` removes
    the folder once the final output has been written.
    """

    def __init__(self, out_path: str, rank: int) -> None:
        self.dir = out_path + '.parts'
        os.makedirs(self.dir, exist_ok=True)
        self.path = osp.join(self.dir, f'rank{rank}.{os.getpid()}.jsonl')
        self._fh = None

    def records(self) -> Dict[int, dict]:
        done = {}
        for name in sorted(n for n in os.listdir(self.dir) if n.endswith('.jsonl')):
            with open(osp.join(self.dir, name)) as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    done.setdefault(rec['image']['id'], rec)
        return done

    def append(self, record: dict) -> None:
        try:
            if self._fh is None:
                self._fh = open(self.path, 'a')
            self._fh.write(json.dumps(record) + '\n')
            self._fh.flush()  # in the OS's hands: survives a killed process (fsync at close)
        except OSError as e:  # a cut line is redone on resume; a full disk is one line
            raise disk_full(e, self.path) from None

    def close(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def finish(self) -> None:
        self.close()
        for name in os.listdir(self.dir):
            os.remove(osp.join(self.dir, name))
        os.rmdir(self.dir)


def init_tool_dist(launcher: str) -> Tuple[int, int]:
    """Start the process group for a tool (gloo on CPU); returns (rank, world)."""
    from mmengine.dist import get_dist_info, init_dist
    if launcher == 'none':
        return 0, 1
    if torch.cuda.is_available():
        init_dist(launcher)
    else:
        from projects.utils.launch import setup_cpu_distributed
        setup_cpu_distributed(Config(), launcher)
    return get_dist_info()
