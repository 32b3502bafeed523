"""Learning-curve figures (matplotlib, no display needed)."""
import os
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from .curves import fill_empty_records  # noqa: E402

DEFAULT_METRICS = ('coco/bbox_mAP', 'pascal_voc/mAP', 'mIoU', 'coco/segm_mAP')


def pick_metric(records: Sequence[dict], metric: Optional[str] = None) -> Optional[str]:
    """The metric to plot: ``metric`` or the first default present."""
    keys = {k for r in records for k in r}
    if metric is not None:
        return metric if metric in keys else None
    return next((m for m in DEFAULT_METRICS if m in keys),
                next((k for k in sorted(keys) if 'mAP' in k or 'AP' in k), None))


def plot_learning_curves(runs: List[Tuple[str, dict]], out_file: str,
                         metric: Optional[str] = None) -> str:
    """Draw AP against iteration (left) and train loss (right) for runs.

    Args:
        runs: ``(label, curve)`` pairs, ``curve`` as written by
            :class:`projects.engine.hooks.LearningCurveHook`.
        out_file: PNG path (written atomically).
        metric: validation key to plot; default: first of DEFAULT_METRICS.
            Empty validation records (nothing detected) count as 0 for it.

    Returns:
        The metric that was plotted (or ``'none'``).
    """
    fig, (ax_ap, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
    used = 'none'
    for i, (label, curve) in enumerate(runs):
        color = f'C{i % 10}'
        # a validation that detected nothing reads as 0 for the metric asked
        # for: a run that never detected anything is drawn at 0, not left out
        val = fill_empty_records(curve.get('val', []), [metric] if metric else [])
        key = pick_metric(val, metric)
        if key is not None:
            used = key
            pts = [(r['iter'], r[key]) for r in val if key in r]
            ax_ap.plot(*zip(*pts), 'o-', color=color, label=label, ms=3)
        train = curve.get('train', [])
        if train:
            ax_loss.plot([r['iter'] for r in train], [r['loss'] for r in train],
                         color=color, label=label, lw=1)
        for drop in curve.get('schedule', {}).get('lr_drops', []):
            for ax in (ax_ap, ax_loss):
                ax.axvline(drop, color=color, ls='--', lw=0.8, alpha=0.6)
    ax_ap.set(xlabel='iteration', ylabel=used, title='validation (dashed: LR drops)')
    ax_loss.set(xlabel='iteration', ylabel='train loss', title='training loss')
    ax_loss.set_yscale('log')
    for ax in (ax_ap, ax_loss):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    save_figure(fig, out_file)
    return used


def save_figure(fig, out_file: str, dpi: int = 100) -> None:
    """Save a figure as PNG atomically (temp file, then rename) and close it."""
    fig.tight_layout()
    tmp = out_file + '.tmp.png'
    fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    os.replace(tmp, out_file)


def plot_factor_lines(lines: Dict[str, List[Tuple[str, float, float]]], out_file: str,
                      xlabel: str, ylabel: str, title: str = '',
                      seeds: Optional[Dict[str, Dict[str, List[float]]]] = None) -> None:
    """One line per row of a study table: mean with +-std bars against the columns.

    Args:
        lines: ``{row label: [(column label, mean, std), ...]}``; the columns
            are drawn in the order of the first line, evenly spaced.
        out_file: PNG path (written atomically).
        seeds: ``{row label: {column label: [value of each seed]}}``, drawn as
            small dots beside the mean (the spread itself, not only its std).
    """
    columns = [c for line in lines.values() for c, _, _ in line]
    order = list(dict.fromkeys(columns))
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for i, (label, points) in enumerate(lines.items()):
        xs = [order.index(c) for c, _, _ in points]
        ax.errorbar(xs, [m for _, m, _ in points], yerr=[s for _, _, s in points],
                    fmt='o-', color=f'C{i % 10}', label=label, capsize=3)
        for column, values in (seeds or {}).get(label, {}).items():
            if column in order and len(values) > 1:
                ax.plot([order.index(column) + 0.08] * len(values), values, '.',
                        color=f'C{i % 10}', alpha=0.6, ms=4)
    crowded = sum(len(c) for c in order) > 40  # long labels would overlap: slant them
    ax.set_xticks(range(len(order)), order, rotation=25 if crowded else 0,
                  ha='right' if crowded else 'center')
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save_figure(fig, out_file)
