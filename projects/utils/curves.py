"""Read the learning curves and final metrics that runs leave in work dirs."""
import json
import os.path as osp
from typing import Dict, List, Optional

from .launch import UserInputError


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
    return curve


def final_metrics(curve: dict) -> Optional[Dict[str, float]]:
    """The last validation record of a curve, or None."""
    return curve['val'][-1] if curve['val'] else None


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    """Render ``rows`` (dicts) as a Markdown table with ``columns``."""
    def fmt(v):
        return f'{v:.3f}' if isinstance(v, float) else ('-' if v is None else str(v))
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '|'.join('---' for _ in columns) + '|']
    lines += ['| ' + ' | '.join(fmt(r.get(c)) for c in columns) + ' |' for r in rows]
    return '\n'.join(lines)
