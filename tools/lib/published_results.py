"""A study's results as published, for re-reading them without the runs.

``tools/run_study.py --publish`` writes a study's whole report into a
Markdown block, and its last table, **Every run**, holds each run's final
metrics (x100, one decimal). When neither the run folders nor the
``study_results/NAME.json`` record exist (studies published before the record
was kept), that table is what is left of the measurements: the readings are
re-generated from it, and only they are rewritten, since the rest of the
report (pseudo-label quality, curves) cannot be recovered from the page.
"""
import os.path as osp
from typing import List, Sequence

from projects.utils.errors import UserInputError
from projects.utils.io import atomic_write_text
from tools.lib.study_report import (every_run_table, metric_scale, replace_block,
                                    reported_metrics)

EMPTY = ' (nothing detected: AP 0)'  # the name suffix of a run that detected nothing


def _block_lines(text: str, path: str, name: str):
    """(start, end): the line indices inside ``run_study:NAME``'s block."""
    lines = text.split('\n')
    begin, end = f'<!-- run_study:{name} begin -->', f'<!-- run_study:{name} end -->'
    if begin not in lines:
        raise UserInputError(f'{path}: no "{begin}" block to read the published results from')
    start = lines.index(begin) + 1
    if end not in lines[start:]:
        raise UserInputError(f'{path}: "{begin}" has no "{end}" after it')
    return lines, start, lines.index(end, start)


def published_results(path: str, name: str, study) -> List[dict]:
    """The results (``dict(name, seed, factors, final, minutes)``) in the
    **Every run** table of the study's block in ``path``. ``final`` holds each
    metric as published (rounded to 0.1 x 100, so a mean is off by < 0.05 of a
    point); ``factors`` are the study's own for the run (the table's, as
    strings, for a run the study no longer has). Raises UserInputError naming
    the file when the table is missing or its columns are not the study's."""
    if not osp.isfile(path):
        raise UserInputError(f'--publish: no such file: {path}')
    lines, start, stop = _block_lines(open(path).read(), path, name)
    heading = '**Every run** (final validation)'
    if heading not in lines[start:stop]:
        raise UserInputError(f'{path}: the run_study:{name} block has no "{heading}" table')
    i = lines.index(heading, start) + 2
    expected = every_run_table(study, [])[2]
    if lines[i] != expected:
        raise UserInputError(f'{path}: the "Every run" table of run_study:{name} has the '
                             f'columns {lines[i]!r}, the study now reads {expected!r}')
    columns = reported_metrics(study)  # the table's value columns, in order
    by_name = {run['name']: run for run in study.get('runs') or []}
    results = []
    for line in lines[i + 2:stop]:
        if not line.startswith('| '):
            break
        cells = [c.strip() for c in line.strip('|').split('|')]
        if len(cells) != len(columns) + 4:
            raise UserInputError(f'{path}: an "Every run" row of run_study:{name} has '
                                 f'{len(cells)} cells, not {len(columns) + 4}: {line!r}')
        run, seed, factors, values, minutes = cells[0], cells[1], cells[2], cells[3:-1], cells[-1]
        empty = run.endswith(EMPTY)
        run = run[:-len(EMPTY)] if empty else run
        try:
            final = {k: float(v) / metric_scale(k)[0] for k, v in zip(columns, values) if v != '-'}
            seed, minutes = int(seed), float(minutes)
        except ValueError:
            raise UserInputError(f'{path}: an "Every run" row of run_study:{name} holds a value '
                                 f'that is not a number: {line!r}') from None
        if empty:
            final['empty'] = True
        own = (by_name.get(run) or {}).get('factors')
        results.append(dict(name=run, seed=seed, final=final, minutes=minutes,
                            factors=dict(own) if own is not None else dict(
                                kv.split('=', 1) for kv in factors.split(', ') if '=' in kv)))
    return results


def _replace_readings(lines: List[str], start: int, stop: int, readings: Sequence[str]) -> bool:
    """Put ``readings`` (a :func:`render_readings` list) in place of the
    **Readings** list between ``start`` and ``stop``; False when there is none."""
    at = next((j for j in range(start, stop) if lines[j].startswith('**Readings**')), None)
    if at is None:
        return False
    j = at + 1
    while j < stop and (lines[j] == '' or lines[j].startswith('- ')):
        j += 1  # the heading's blank line, the list, the blank line after it
    lines[at:j] = list(readings)
    return True


def publish_readings(path: str, name: str, readings: Sequence[str],
                     headline: Sequence[str]) -> int:
    """Rewrite the readings of study ``name`` in ``path`` (atomically): the
    **Readings** list inside ``run_study:NAME`` gets ``readings``, the
    ``run_study:NAME:readings`` block ``headline``; everything else is kept.
    Returns how many places were rewritten."""
    if not osp.isfile(path):
        raise UserInputError(f'--publish: no such file: {path}')
    text = open(path).read()
    lines, done = text.split('\n'), 0
    if f'<!-- run_study:{name} begin -->' in lines:
        lines, start, stop = _block_lines(text, path, name)
        done += _replace_readings(lines, start, stop, readings)
    marker = f'run_study:{name}:readings'
    new = replace_block('\n'.join(lines), path, marker, '\n'.join(headline))
    done += int(f'<!-- {marker} begin -->' in text)
    if done:
        atomic_write_text(new, path)
    return done
