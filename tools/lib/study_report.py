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

from projects.utils.errors import UserInputError
from projects.utils.io import atomic_write_text
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
    """(factor, label suffix) that shows ``metric`` in percent; a train
    scalar (``train/...``, e.g. the pseudo weight) as it is."""
    if metric.split('/')[-1] in PERCENT_METRICS or metric.startswith('train/'):
        return 1.0, ''
    return 100.0, ' x 100'


def _cell(stats: Tuple[float, float, int], scale: float = 100.0) -> str:
    mean, std, n = stats
    if n == 0:
        return '-'
    if n == 1:
        return f'{mean * scale:.1f} (n=1)'
    return f'{mean * scale:.1f} ± {std * scale:.1f} (n={n})'


def _matches(result: dict, where: Optional[dict]) -> bool:
    """Every ``where`` factor equal (a list: any of its values; None: absent)."""
    return all(result['factors'].get(k) in v if isinstance(v, (list, tuple))
               else result['factors'].get(k) == v for k, v in (where or {}).items())


def _entries(results: List[dict], table: dict):
    """``(row, col, seed, metric)`` of each result one table spec shows."""
    metric = table.get('metric', DEFAULT_METRIC)
    for r in results:
        f = r['factors']
        if (table['rows'] in f and table['cols'] in f and _matches(r, table.get('where'))
                and metric in r['final']):
            yield f[table['rows']], f[table['cols']], r['seed'], r['final'][metric]


def seed_values(results: List[dict], table: dict) -> Dict[str, Dict[str, Dict[int, float]]]:
    """``{row: {col: {seed: metric}}}`` of one table spec (the last result of a
    seed wins)."""
    values: Dict[str, Dict[str, Dict[int, float]]] = {}
    for row, col, seed, value in _entries(results, table):
        values.setdefault(row, {}).setdefault(col, {})[seed] = value
    return values


def table_cells(results: List[dict], table: dict) -> Dict[str, Dict[str, tuple]]:
    """``{row: {col: (mean, std, n)}}`` of one table spec, in result order."""
    return {row: {col: mean_std(v) for col, v in cols.items()}
            for row, cols in table_values(results, table).items()}


def table_values(results: List[dict], table: dict) -> Dict[str, Dict[str, List[float]]]:
    """``{row: {col: [metric of each seed]}}`` of one table spec."""
    values: Dict[str, Dict[str, List[float]]] = {}
    for row, col, _, value in _entries(results, table):
        values.setdefault(row, {}).setdefault(col, []).append(value)
    return values


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


def pooled_std(a: Tuple[float, float, int], b: Tuple[float, float, int]) -> float:
    """The pooled sample std of two cells ``(mean, std, n)``, each n >= 2."""
    (_, sa, na), (_, sb, nb) = a, b
    return math.sqrt(((na - 1) * sa ** 2 + (nb - 1) * sb ** 2) / (na + nb - 2))


def _pair(cells: dict, spec: dict, a: str, b: str) -> Tuple[str, Optional[tuple], Optional[tuple]]:
    """(where, cell a, cell b): columns ``a``, ``b`` of row ``spec['row']``, or
    rows ``a``, ``b`` of column ``spec['col']``."""
    if 'row' in spec:
        row = cells.get(spec['row'], {})
        return spec['row'], row.get(a), row.get(b)
    return spec['col'], cells.get(a, {}).get(spec['col']), cells.get(b, {}).get(spec['col'])


def _paper(spec: dict, diff: float, effect: bool, confound: str = '') -> str:
    """How the reading stands against a paper (``expect``: 'higher' or
    'lower', a against b; ``paper``: the finding, with its source). An
    agreement that ``confound`` explains as well is said to be confounded."""
    if not spec.get('expect'):
        return ''
    if not effect:
        return f' {spec["paper"]}: not told apart here.'
    agrees = (diff > 0) == (spec['expect'] == 'higher')
    if agrees and confound:
        return f' {spec["paper"]}: {confound}.'
    return f' {spec["paper"]}: {"agrees" if agrees else "**disagrees**"}.'


THRESHOLD_BAND = 0.1  # a |difference| within 10% of 2 x pooled std is read "at the threshold"


def _cell_runs(results: List[dict], table: dict, row: str, col: str) -> set:
    """The run names of one cell of ``table``."""
    return {r['name'] for r in results if r['factors'].get(table['rows']) == row
            and r['factors'].get(table['cols']) == col and _matches(r, table.get('where'))}


def _teacher_confound(results: List[dict], table: dict, spec: dict, teachers: dict,
                      scale: float) -> str:
    """A student cell read against a supervised cell that is not its teacher,
    with a teacher stronger than that baseline: the gap may be distillation."""
    if not teachers or 'gap' in spec:
        return ''
    rows_cols = [(spec['row'], c) if 'row' in spec else (c, spec['col'])
                 for c in (spec['a'], spec['b'])]
    names = [_cell_runs(results, table, r, c) for r, c in rows_cols]
    students = [bool(n) and all(teachers.get(x) for x in n) for n in names]
    if students.count(True) != 1 or not all(names):
        return ''
    student, baseline = (names[0], names[1]) if students[0] else (names[1], names[0])
    if any(teachers.get(x) is not None for x in baseline):
        return ''
    taught_by = {teachers[x] for x in student}
    if taught_by & baseline:
        return ''
    metric = table.get('metric', DEFAULT_METRIC)

    def mean(run_names):
        vals = [r['final'][metric] for r in results
                if r['name'] in run_names and metric in r['final']]
        return sum(vals) / len(vals) if vals else None
    t, b = mean(taught_by), mean(baseline)
    if t is None or b is None or t <= b:
        return ''
    return (f'teacher stronger than baseline ({t * scale:.1f} vs {b * scale:.1f}): '
            'not told apart from distillation')


def reading(results: List[dict], table: dict, spec: dict,
            teachers: Optional[Dict[str, str]] = None) -> str:
    """One comparison of two cells of ``table``, as a sentence with its n.

    ``spec``: ``a`` and ``b`` are two columns of row ``row``, or two rows of
    column ``col``. The difference a - b is read as an effect only when it
    exceeds twice the pooled std (which needs n >= 2 on both sides). With
    ``gap=(r1, r2)`` (and ``col``-less ``a``, ``b`` columns) the reading is the
    change of the gap r1 - r2 from column b to column a, against twice the
    root sum of squares of the two gaps' pooled stds. ``expect`` ('higher' or
    'lower': a against b) and ``paper`` state a paper's direction. With
    ``paired=True`` the sentence ends with each seed's difference a - b (the
    rule above still decides). A difference within ``THRESHOLD_BAND`` of the
    rule's bound is "at the threshold" (and tells a paper's direction apart
    from nothing). ``teachers`` (run name -> its teacher's) lets a student
    cell read against a supervised cell that is not its teacher, whose
    teacher is the stronger, say "teacher stronger than baseline: not told
    apart from distillation" where it would say "agrees".
    """
    cells = table_cells(results, table)
    metric = table.get('metric', DEFAULT_METRIC)
    scale, _ = metric_scale(metric)
    name = metric.split('/')[-1].replace('_precision', ' AP').replace('bbox_mAP', 'AP')
    if 'gap' in spec:
        r1, r2 = spec['gap']
        head = f'{name} gap {r1} - {r2}: {spec["a"]} vs {spec["b"]}'
        pairs = [_pair(cells, dict(col=c), r1, r2)[1:] for c in (spec['a'], spec['b'])]
    else:
        where, a, b = _pair(cells, spec, spec['a'], spec['b'])
        head = f'{where}, {name}: {spec["a"]} vs {spec["b"]}'
        pairs = [(a, b)]
    if not all(x and y for x, y in pairs):
        return f'{head}: not run yet.'
    values = [round((x[0] - y[0]) * scale, 1) + 0.0 for x, y in pairs] if 'gap' in spec else \
        [x[0] * scale for x in pairs[0]]  # (+ 0.0: no '-0.0')
    diff = round(values[0] - values[1], 1) + 0.0  # no '-0.0'
    ns = sorted({c[2] for pair in pairs for c in pair})
    stats = (f'{values[0]:.1f} vs {values[1]:.1f}, difference {diff:+.1f} '
             f'(n={" and ".join(str(c[2]) for c in pairs[0])})' if 'gap' not in spec else
             f'{values[0]:+.1f} vs {values[1]:+.1f}, change {diff:+.1f} '
             f'(n={"/".join(map(str, ns))} a cell)')
    if ns[0] < 2:
        return f'{head}: {stats}; too few seeds to read.'
    pooled = math.sqrt(sum(pooled_std(x, y) ** 2 for x, y in pairs)) * scale
    effect = abs(diff) > 2 * pooled
    if abs(abs(diff) - 2 * pooled) <= THRESHOLD_BAND * 2 * pooled:
        verdict, effect = (f'at the threshold (within {THRESHOLD_BAND:.0%} of 2 x pooled std, '
                           f'{2 * pooled:.2f})'), False
    else:
        verdict = (f'{"an effect" if effect else "not an effect"} '
                   f'({"beyond" if effect else "within"} 2 x pooled std)')
    confound = _teacher_confound(results, table, spec, teachers or {}, scale)
    return (f'{head}: {stats}, {"pooled std" if len(pairs) == 1 else "std"} {pooled:.1f}: '
            f'{verdict}.' + _paper(spec, diff, effect, confound)
            + (_per_seed(results, table, spec, scale) if spec.get('paired') else ''))


def _per_seed(results: List[dict], table: dict, spec: dict, scale: float) -> str:
    """`` Same seed, a - b: ...``: the paired differences of the seeds both
    cells have (a student and its teacher share a seed); told, not tested."""
    values = seed_values(results, table)
    a, b = _pair(values, spec, spec['a'], spec['b'])[1:]
    seeds = sorted(set(a or {}) & set(b or {}))
    if not seeds:
        return ''
    diffs = ', '.join(f'{round((a[s] - b[s]) * scale, 1) + 0.0:+.1f} (seed {s})' for s in seeds)
    return f' Same seed, {spec["a"]} - {spec["b"]}: {diffs}.'


def render_readings(study, results: List[dict], headline: bool = False) -> List[str]:
    """The study's ``readings`` (comparisons of table cells), one line each.

    With ``headline``, only the readings marked ``headline=True`` (all of
    them when none is marked): the short list a README block carries.
    """
    specs = study.get('readings') or []
    marked = [s for s in specs if s.get('headline')]
    short = headline and bool(marked)
    if short:
        specs = marked
    if not specs:
        return []
    lines = ['**Readings** (generated: a difference is an effect only beyond twice the pooled '
             'sample std of its two cells' + ('; the headline readings, every reading is in the '
                                               "study's full report" if short else '') + ')', '']
    teachers = {run['name']: run.get('teacher') for run in study.get('runs') or []}
    lines += [f'- {reading(results, study["tables"][s["table"]], s, teachers)}' for s in specs]
    return lines + ['']


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
            seeds = {row: {c: [v * scale for v in vs] for c, vs in cols.items()}
                     for row, cols in table_values(results, table).items()}
            plot_factor_lines(lines, out, table['cols'], metric + label, title, seeds)
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


def every_run_table(study, results: List[dict]) -> List[str]:
    """The **Every run** table's lines: heading, blank, header row, rule, a row per result."""
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
        values = ' | '.join(f'{f[k] * metric_scale(k)[0]:.1f}' if k in f else '-'
                            for k in columns)  # '-': a metric the run has not (a teacher's weight)
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


def _ms(values: List[Optional[float]], fmt: str = '.2f') -> str:
    """``mean ± std`` of the values that exist ('-' when none)."""
    mean, std, n = mean_std([v for v in values if v is not None])
    if n == 0:
        return '-'
    return f'{mean:{fmt}}' + (f' ± {std:{fmt}}' if n > 1 else '')


def _grouped(reports: List[dict]):
    """Per label (``teacher``: a teacher or a run) over its seeds, threshold and
    class: ``(label, n seeds, threshold, class, [class stats], [rows])``."""
    for label in dict.fromkeys(q['teacher'] for q in reports):
        group = [q for q in reports if q['teacher'] == label]
        for i, row in enumerate(group[0]['rows']):
            rows = [q['rows'][i] for q in group]
            for name in group[0]['classes']:
                yield label, len(group), row['thr'], name, [r['classes'][name] for r in rows], rows


def _detection_table(reports: List[dict]) -> List[str]:
    """Per run (over its seeds), threshold and class: its own detections of a
    labelled set scored like pseudo labels, with their size bias."""
    if not reports:
        return []
    lines = [f'**Detections of `{osp.basename(reports[0]["gt"])}`, scored per class** (each '
             'run\'s final checkpoint, boxes kept at each threshold; size: median linear size of '
             'each ground-truth box\'s best-overlapping detection over its own, 1.00 is right; '
             'mean ± std over seeds, n seeds)', '',
             '| run | n | threshold | class | GT boxes | detections | precision | '
             'recall (IoU 0.5) | AP | size (detection / GT) |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for run, n, thr, name, c, _ in _grouped(reports):
        lines.append(f'| {run} | {n} | {thr:g} | {name} | {_ms([x["gt"] for x in c], ".0f")} | '
                     f'{_ms([x["kept"] for x in c], ".0f")} | '
                     f'{_ms([x["precision"] for x in c])} | {_ms([x["recall"] for x in c])} | '
                     f'{_ms([x["ap"] for x in c])} | {_ms([x.get("size") for x in c])} |')
    return lines + ['']


def _quality_table(quality: List[dict]) -> List[str]:
    """Per teacher (over its seeds), threshold and class: kept boxes,
    precision, recall; then the thresholds ``auto`` chose."""
    reports = [q for q in quality if 'rows' in q]
    lines = []
    if reports:
        lines += ['**Pseudo-label quality** (each teacher\'s labels of the unlabelled pool, '
                  'against the pool\'s held-back labels; mean ± std over seeds, n seeds)', '',
                  '| teacher | n | threshold | class | GT boxes | pseudo boxes | precision | '
                  'recall (IoU 0.5) | images without a box |',
                  '|---|---|---|---|---|---|---|---|---|']
    for teacher, n, thr, name, c, rows in _grouped(reports):
        lines.append(
            f'| {teacher} | {n} | {thr:g} | {name} | '
            f'{_ms([x["gt"] for x in c], ".0f")} | {_ms([x["kept"] for x in c], ".0f")} | '
            f'{_ms([x["precision"] for x in c])} | {_ms([x["recall"] for x in c])} | '
            f'{_ms([100 * r["empty"] for r in rows], ".1f")}% |')
    autos = [q for q in quality if 'auto' in q]
    if autos:
        names = list(autos[0]['auto']['classes'])
        lines += ['', '**Thresholds chosen by `--score-thr auto`** (precision >= '
                  f'{autos[0]["auto"]["target_precision"]:g} on '
                  f'`{osp.basename(autos[0]["auto"]["holdout"])}`; "not reached": the highest '
                  'candidate)', '', '| teacher | seed | ' + ' | '.join(names) + ' |',
                  '|---|---|' + '---|' * len(names)]
        for q in autos:
            cells = [f'{c["thr"]:g}' + ('' if c['reached'] else ' (not reached)')
                     for c in (q['auto']['classes'][n] for n in names)]
            lines.append(f'| {q["teacher"]} | {q["seed"]} | ' + ' | '.join(cells) + ' |')
    return lines + [''] if lines else []


def render_results(study, name: str, results: List[dict], figures: List[Tuple[str, str]],
                   md_dir: str, command: str, machine: str,
                   pseudo: Optional[List[dict]] = None,
                   quality: Optional[List[dict]] = None,
                   detection: Optional[List[dict]] = None,
                   missing: Optional[List[Tuple[str, int]]] = None) -> str:
    """The whole results.md of a study; ``pseudo`` rows (teacher, seed, file,
    images, boxes) add a table of the students' pseudo labels, ``quality``
    (:func:`tools.run_study.pseudo_quality_reports`) their quality, ``detection``
    (:func:`tools.run_study.detection_quality_reports`) the runs' own
    detections of a labelled set scored the same way; ``missing``
    (run, seed) pairs of the study that have no result are listed."""
    parts = [f'# Study {name}', '', study.get('description', '').strip(), '',
             f'Machine: {machine}.', '', f'Command: `{command}`', '']
    for table in study.get('tables') or []:
        parts += [render_table(results, table), '']
    parts += render_readings(study, results)
    for title, path in figures:
        parts += [f'![{title}]({osp.relpath(path, md_dir)})', '']
    if pseudo:
        parts += _pseudo_table(pseudo)
    parts += _quality_table(quality or [])
    parts += _detection_table(detection or [])
    parts += _missing_lines(missing or [])
    return '\n'.join(parts + every_run_table(study, results)) + '\n'


def _missing_lines(missing: List[Tuple[str, int]]) -> List[str]:
    """The study's runs without a result, with their seeds, in study order."""
    if not missing:
        return []
    seeds: Dict[str, List[int]] = {}
    for name, seed in missing:
        seeds.setdefault(name, []).append(seed)
    runs = '; '.join(f'{n} (seed{"s" if len(s) > 1 else ""} {", ".join(map(str, s))})'
                     for n, s in seeds.items())
    return [f'**Not run** ({len(missing)} of the study\'s runs have no result): {runs}.', '']


def replace_block(text: str, path: str, marker: str, body: str) -> str:
    """``text`` with the lines between ``<!-- MARKER begin -->`` and its end
    marker replaced by ``body`` (``text`` as it is when it has no such block)."""
    begin, end = f'<!-- {marker} begin -->', f'<!-- {marker} end -->'
    if begin not in text:
        return text
    i = text.index(begin) + len(begin)
    j = text.find(end, i)
    if j < i:
        raise UserInputError(f'{path}: "{begin}" has no "{end}" after it')
    return text[:i] + '\n' + body.strip('\n') + '\n' + text[j:]


def publish_blocks(path: str, name: str, report: str, readings: List[str]) -> None:
    """Replace the study's generated blocks in the Markdown file ``path``
    (atomically): ``run_study:NAME`` gets ``report`` (headings two levels
    down), ``run_study:NAME:readings`` the readings."""
    if not osp.isfile(path):
        raise UserInputError(f'--publish: no such file: {path}')
    text = open(path).read()
    report = '\n'.join('##' + line if line.startswith('#') else line
                       for line in report.splitlines())
    new = replace_block(replace_block(text, path, f'run_study:{name}', report), path,
                 f'run_study:{name}:readings', '\n'.join(readings))
    if new == text and f'<!-- run_study:{name}' not in text:
        raise UserInputError(f'--publish: {path} has no <!-- run_study:{name} begin --> ... '
                             f'<!-- run_study:{name} end --> block (nor :readings)')
    atomic_write_text(new, path)
