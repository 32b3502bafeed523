"""Learning-curve figures (matplotlib, no display needed)."""
from typing import List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

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

    Returns:
        The metric that was plotted (or ``'none'``).
    """
    import os
    fig, (ax_ap, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
    used = 'none'
    for i, (label, curve) in enumerate(runs):
        color = f'C{i % 10}'
        val = curve.get('val', [])
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
    fig.tight_layout()
    tmp = out_file + '.tmp.png'
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, out_file)
    return used
