"""Read the learning curves and final metrics that runs leave in work dirs."""
import glob
import json
import os.path as osp
import re
from datetime import datetime
from typing import Dict, List, Optional, Sequence

from .errors import UserInputError


def load_curve(work_dir: str) -> dict:
    """Load ``WORK_DIR/curve.json`` (written by ``LearningCurveHook``)."""
    path = osp.join(work_dir, 'curve.json')
    if not osp.isfile(path):
        raise UserInputError(f'no curve.json in {work_dir} (was the run '
                             'trained with LearningCurveHook?)')
    try:
        with open(path) as f:
            curve = json.load(f)
    except json.JSONDecodeError as e:
        raise UserInputError(f'{path}: not valid JSON ({e})')
    if 'val' not in curve:
        raise UserInputError(f'{path}: missing key "val"')
    curve['val'] = fill_empty_records(curve['val'])
    return curve


# keys of a validation record that are not metrics (UnreadableImageHook adds the count
# of images left out of the metric)
NOT_METRICS = ('iter', 'empty', 'unreadable_images')


def metric_keys(record: dict) -> List[str]:
    """The metric names of one validation record (not ``iter``/``empty``/...)."""
    return [k for k in record if k not in NOT_METRICS]


def fill_empty_records(val: List[dict], keys: Sequence[str] = ()) -> List[dict]:
    """Read each ``{"iter": i, "empty": true}`` validation record (the model
    detected nothing, so mmdet's ``CocoMetric`` returned no metrics) as 0 for
    every metric the other records report, and for ``keys`` (the metrics
    expected when no record has any): COCO AP with no detections is 0.
    """
    keys = list(dict.fromkeys([*keys, *(k for r in val for k in metric_keys(r))]))
    return [dict(r, **{k: 0.0 for k in keys}) if r.get('empty') else r for r in val]


def final_metrics(curve: dict, keys: Sequence[str] = ()) -> Optional[Dict[str, float]]:
    """The last validation record of a curve (empty ones read as 0 for the
    metrics of the other records and ``keys``), or None."""
    val = fill_empty_records(curve['val'], keys)
    return val[-1] if val else None


def final_train_scalars(curve: dict) -> Dict[str, float]:
    """The extra scalars of the last train record (``LearningCurveHook``'s
    ``train_keys``, e.g. the pseudo weight) as ``{'train/<key>': value}``."""
    last = (curve.get('train') or [{}])[-1]
    return {f'train/{k}': v for k, v in last.items() if k not in ('iter', 'loss', 'lr')}


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    """Render ``rows`` (dicts) as a Markdown table with ``columns``."""
    def fmt(v):
        return f'{v:.3f}' if isinstance(v, float) else ('-' if v is None else str(v))
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '|'.join('---' for _ in columns) + '|']
    lines += ['| ' + ' | '.join(fmt(r.get(c)) for c in columns) + ' |' for r in rows]
    return '\n'.join(lines)


_STAMP = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - mmengine')


def train_minutes(work_dir: str) -> Optional[float]:
    """Wall-clock minutes of every process that trained in ``work_dir``
    (first to last timestamp of each mmengine log, summed), so a run that was
    interrupted and resumed counts both parts; None when there is no log."""
    total, found = 0.0, False
    for log in glob.glob(osp.join(work_dir, '*', '*.log')):
        with open(log, errors='replace') as f:
            stamps = [m.group(1) for m in map(_STAMP.match, f) if m]
        if stamps:
            first, last = (datetime.strptime(s, '%Y/%m/%d %H:%M:%S')
                           for s in (stamps[0], stamps[-1]))
            total, found = total + (last - first).total_seconds(), True
    return round(total / 60, 2) if found else None
