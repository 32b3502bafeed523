"""Tables and figures of a study (``tools/run_study.py``) from its run results.

A result is ``dict(name, seed, factors, final, minutes)``: ``final`` holds the
last validation metrics of one run with one seed; ``factors`` the study
factors that run stands for (``init='scratch', schedule='2x'``).
"""
import math
import os
import os.path as osp
import statistics
from typing import Dict, List, Optional, Tuple

from projects.utils.plotting import plot_factor_lines, plot_learning_curves

DEFAULT_METRIC = 'coco/bbox_mAP'


def mean_std(values: List[float]) -> Tuple[float, float, int]:
    """Mean, sample standard deviation (0 for one value) and count."""
    if not values:
        return math.nan, math.nan, 0
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), std, len(values)


PERCENT_METRICS = ('mIoU', 'mAcc', 'aAcc')  # mmseg reports these in percent already


def metric_scale(metric: str) -> Tuple[float, str]:
    """(factor, label suffix) that shows ``metric`` in percent."""
    return (1.0, '') if metric.split('/')[-1] in PERCENT_METRICS else (100.0, ' x 100')


def _cell(stats: Tuple[float, float, int], scale: float = 100.0) -> str:
    mean, std, n = stats
    if n == 0:
        return '-'
    if n == 1:
        return f'{mean * scale:.1f}'
    return f'{mean * scale:.1f} ± {std * scale:.1f} (n={n})'


def _matches(result: dict, where: Optional[dict]) -> bool:
    return all(result['factors'].get(k) == v for k, v in (where or {}).items())


def table_cells(results: List[dict], table: dict) -> Dict[str, Dict[str, tuple]]:
    """``{row: {col: (mean, std, n)}}`` of one table spec, in result order."""
    metric = table.get('metric', DEFAULT_METRIC)
    values: Dict[str, Dict[str, List[float]]] = {}
    for r in results:
        f = r['factors']
        if table['rows'] not in f or table['cols'] not in f or not _matches(r, table.get('where')):
            continue
        if metric in r['final']:
            values.setdefault(f[table['rows']], {}).setdefault(
                f[table['cols']], []).append(r['final'][metric])
    return {row: {col: mean_std(v) for col, v in cols.items()} for row, cols in values.items()}


def table_columns(cells: Dict[str, Dict[str, tuple]], table: dict) -> List[str]:
    """The columns present, in the table's ``order`` first, then as they come."""
    present = list(dict.fromkeys(c for row in cells.values() for c in row))
    order = [c for c in table.get('order', []) if c in present]
    return order + [c for c in present if c not in order]


def render_table(results: List[dict], table: dict) -> str:
    """A Markdown table: rows x cols factors, cells mean ± std of the metric (x100)."""
    cells = table_cells(results, table)
    columns = table_columns(cells, table)
    metric = table.get('metric', DEFAULT_METRIC)
    scale, label = metric_scale(metric)
    lines = [f'**{table.get("title", metric)}** ({metric}{label}; mean ± sample std over seeds)',
             '']
    if not cells:
        return '\n'.join(lines + ['(no finished run yet)'])
    lines += [f'| {table["rows"]} \\ {table["cols"]} | ' + ' | '.join(columns) + ' |',
              '|---|' + '---|' * len(columns)]
    for row, cols in cells.items():
        lines.append(f'| {row} | ' + ' | '.join(_cell(cols[c], scale) if c in cols else '-'
                                                 for c in columns) + ' |')
    return '\n'.join(lines)


def study_figures(study, results: List[dict], curves: Dict[str, dict],
                  figures_dir: str) -> List[Tuple[str, str]]:
    """Draw the study's figures; returns ``(title, png path)`` pairs drawn.

    ``kind='curves'``: AP against iteration of the listed runs (first seed);
    ``kind='table'``: one line per row of ``tables[table]`` against its columns.
    """
    os.makedirs(figures_dir, exist_ok=True)
    drawn = []
    for fig in study.get('figures') or []:
        out = osp.join(figures_dir, fig['file'])
        title = fig.get('title', fig['file'])
        if fig.get('kind', 'curves') == 'curves':
            runs = [(label, curves[run]) for run, label in fig['runs'].items() if run in curves]
            if not runs:
                continue
            plot_learning_curves(runs, out, fig.get('metric', DEFAULT_METRIC))
        else:
            table = study.tables[fig['table']]
            cells = table_cells(results, table)
            if not cells:
                continue
            columns = table_columns(cells, table)
            metric = table.get('metric', DEFAULT_METRIC)
            scale, label = metric_scale(metric)
            lines = {row: [(c, cols[c][0] * scale, cols[c][1] * scale) for c in columns
                           if c in cols] for row, cols in cells.items()}
            plot_factor_lines(lines, out, table['cols'], metric + label, title)
        drawn.append((title, out))
    return drawn


def _run_metrics(study) -> List[str]:
    """The metrics of the study's tables, in order (the default when none)."""
    metrics = [t.get('metric', DEFAULT_METRIC) for t in study.get('tables') or []]
    return list(dict.fromkeys(metrics)) or [DEFAULT_METRIC]


def reported_metrics(study) -> List[str]:
    """Every metric the report reads from a run: each table's and its AP50."""
    return [k for m in _run_metrics(study) for k in _with_ap50(m)]


def _with_ap50(metric: str) -> Tuple[str, ...]:
    """A COCO AP (``*_mAP``) and its AP50; any other metric alone."""
    return (metric, metric + '_50') if metric.endswith('_mAP') else (metric,)


def _every_run_table(study, results: List[dict]) -> List[str]:
    metrics = _run_metrics(study)
    names = [''] if len(metrics) == 1 else [m.split('/')[-1].replace('_mAP', '') + ' '
                                            for m in metrics]
    heads = ' | '.join(f'{n}AP | {n}AP50' if len(_with_ap50(m)) == 2 else m.split('/')[-1]
                       for n, m in zip(names, metrics))
    columns = [k for m in metrics for k in _with_ap50(m)]
    lines = ['**Every run** (final validation)', '',
             f'| run | seed | factors | {heads} | minutes |',
             '|---|---|---|' + '---|' * len(columns) + '---|']
    for r in results:
        f = r['final']
        factors = ', '.join(f'{k}={v}' for k, v in r['factors'].items())
        values = ' | '.join(f'{f.get(k, math.nan) * metric_scale(k)[0]:.1f}' for k in columns)
        name = r['name'] + (' (nothing detected: AP 0)' if f.get('empty') else '')
        lines.append(f'| {name} | {r["seed"]} | {factors} | {values} | {r["minutes"]} |')
    return lines


def _pseudo_table(pseudo: List[dict]) -> List[str]:
    lines = ['**Pseudo labels** (what each teacher gave its students)', '',
             '| teacher | seed | file | images | boxes | boxes per image |',
             '|---|---|---|---|---|---|']
    for p in pseudo:
        if p.get('boxes') is None:  # segmentation: a folder of masks
            lines.append(f'| {p["teacher"]} | {p["seed"]} | {p["file"]} | {p["images"]} | '
                         '- (masks) | - |')
            continue
        per_image = p['boxes'] / p['images'] if p['images'] else math.nan
        lines.append(f'| {p["teacher"]} | {p["seed"]} | {p["file"]} | {p["images"]} | '
                     f'{p["boxes"]} | {per_image:.2f} |')
    return lines + ['']


def render_results(study, name: str, results: List[dict], figures: List[Tuple[str, str]],
                   md_dir: str, command: str, machine: str,
                   pseudo: Optional[List[dict]] = None) -> str:
    """The whole results.md of a study; ``pseudo`` rows (teacher, seed, file,
    images, boxes) add a table of the students' pseudo labels."""
    parts = [f'# Study {name}', '', study.get('description', '').strip(), '',
             f'Machine: {machine}.', '', f'Command: `{command}`', '']
    for table in study.get('tables') or []:
        parts += [render_table(results, table), '']
    for title, path in figures:
        parts += [f'![{title}]({osp.relpath(path, md_dir)})', '']
    if pseudo:
        parts += _pseudo_table(pseudo)
    return '\n'.join(parts + _every_run_table(study, results)) + '\n'
