"""Pseudo-label score thresholds: one for all classes, or one per class; torch-free."""
from typing import List, Optional, Sequence, Union

from .errors import UserInputError

Threshold = Union[float, List[float]]

#: The offline pseudo-label threshold (Zoph et al.: boxes of teacher score >= 0.5),
#: the default of ``pseudo_label.py``, ``pseudo_mask.py``, ``self_train.py`` and a
#: ``run_study.py`` run's ``score_thr``; written here only.
DEFAULT_SCORE_THR = 0.5


def check_score_thr(thr: Threshold, classes: Optional[Sequence[str]],
                    where: str = '--score-thr'):
    """``thr`` as a float or a list with one value in [0, 1] per class; one-line errors.
    ``classes=None`` (not known yet) checks the range only."""
    values = list(thr) if isinstance(thr, (list, tuple)) else [thr]
    if classes is not None and len(values) not in (1, len(classes)):
        raise UserInputError(f'{where}: one value, or one per class ({len(classes)}: '
                             f'{", ".join(classes)}), got {len(values)}')
    for v in values:
        if not 0 <= float(v) <= 1:
            raise UserInputError(f'{where}: thresholds must be in [0, 1], got {v}')
    return float(values[0]) if len(values) == 1 else [float(v) for v in values]


def keep_mask(scores, labels, thr: Threshold):
    """Boolean mask of predictions with ``score >= thr[label]`` (tensors in, tensor out)."""
    if isinstance(thr, (list, tuple)):
        return scores >= scores.new_tensor(thr)[labels]
    return scores >= thr


def describe(thr: Threshold, classes: Sequence[str]) -> str:
    """'0.5' or 'RBC 0.4, WBC 0.7, ...' for the log."""
    if isinstance(thr, (list, tuple)):
        return ', '.join(f'{c} {t:g}' for c, t in zip(classes, thr))
    return f'{thr:g}'
