#!/usr/bin/env python
"""Which wheels a target lacks: the plan of ``make_wheelhouse.sh --exclude-installed``.

    python tools/misc/wheelhouse_plan.py REPORT.json FREEZE.txt > KEEP.txt

``REPORT.json`` is pip's ``--report`` of resolving the stack for the target
(``pip install --dry-run --ignore-installed --report``, every distribution
the stack needs, with its metadata); ``FREEZE.txt`` is the target's
``pip freeze``. A distribution is left out when the target holds it at a
version that every requirement on it in the resolved set accepts (our own
pins included): setup would keep the target's copy. Each one left out is
printed on stderr with why; stdout lists the ``name==version`` to download.
torch is never downloaded (setup reuses the target's). Standard library and
``packaging`` only.
"""
import argparse
import json
import re
import sys
from typing import Dict, List, Tuple

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def read_freeze(lines) -> Dict[str, str]:
    """``{canonical name: version}`` of ``pip freeze`` lines (editable and URL lines skipped)."""
    held = {}
    for line in lines:
        found = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)', line.strip())
        if found:
            held[canonicalize_name(found.group(1))] = found.group(2)
    return held


def requirements_on(report: dict, top_level: List[str]) -> Dict[str, List[Tuple[str, str]]]:
    """``{name: [(who requires it, specifier)]}`` over the resolved set: every
    ``requires_dist`` of the resolved distributions, plus our top-level list."""
    on: Dict[str, List[Tuple[str, str]]] = {}
    for line in top_level:
        req = Requirement(line)
        on.setdefault(canonicalize_name(req.name), []).append(('our pins', str(req.specifier)))
    for item in report['install']:
        meta = item['metadata']
        for text in meta.get('requires_dist') or []:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({'extra': ''}):
                continue  # an extra, or not for this target
            on.setdefault(canonicalize_name(req.name), []).append(
                (meta['name'], str(req.specifier)))
    return on


def plan(report: dict, freeze: Dict[str, str], top_level: List[str]):
    """(to download: ['name==version'], left out: [(name, version, why)])."""
    on = requirements_on(report, top_level)
    keep, left = [], []
    for item in report['install']:
        name, version = item['metadata']['name'], item['metadata']['version']
        key = canonicalize_name(name)
        if key == 'torch':
            left.append((name, version, 'torch is the target\'s own (setup reuses it)'))
            continue
        held = freeze.get(key)
        if held is None:
            keep.append(f'{name}=={version}')
            continue
        try:
            accepted = all(Requirement(f'x{spec}').specifier.contains(Version(held),
                                                                      prereleases=True)
                           for _, spec in on.get(key, []))
        except InvalidVersion:
            accepted = False
        if accepted:
            pins = sorted({f'{w} {s}' for w, s in on.get(key, []) if s})
            left.append((name, held, f'the target has {held}; ' +
                         (f'within {", ".join(pins)}' if pins else 'no requirement pins it')))
        else:
            specs = '; '.join(f'{w}: {s}' for w, s in on.get(key, []) if s)
            keep.append(f'{name}=={version}')
            print(f'kept {name}=={version}: the target\'s {held} does not satisfy {specs}',
                  file=sys.stderr)
    return keep, left


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('report')
    parser.add_argument('freeze')
    parser.add_argument('--top-level', nargs='*', default=[],
                        help='our requirement lines (tools/setup_env.sh --print-requirements)')
    args = parser.parse_args(argv)
    report = json.load(open(args.report))
    keep, left = plan(report, read_freeze(open(args.freeze)), args.top_level)
    for name, version, why in left:
        print(f'left out {name}=={version}: {why}', file=sys.stderr)
    print('\n'.join(keep))
    return 0


if __name__ == '__main__':
    sys.exit(main())
