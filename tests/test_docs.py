"""The committed docs point at files that exist, and their figures are small PNGs."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md'))]
LINK = re.compile(r'\]\(([^)\s#]+)(?:#[^)]*)?\)')
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def _local_links(doc: Path):
    for target in LINK.findall(doc.read_text(encoding='utf-8')):
        if not re.match(r'[a-z]+://', target):
            yield target


@pytest.mark.parametrize('doc', DOCS, ids=lambda p: p.name)
def test_every_local_link_resolves(doc):
    missing = [t for t in _local_links(doc) if not (doc.parent / t).exists()]
    assert not missing, f'{doc.name} links to missing files: {missing}'


def test_results_figures_are_small_pngs_that_exist():
    figures = [t for t in _local_links(ROOT / 'docs' / 'results.md') if t.startswith('figures/')]
    assert len(figures) >= 6  # BCCD: schedules 3, resolution 1, three-seed study 2
    for rel in figures:
        path = ROOT / 'docs' / rel
        assert path.read_bytes()[:8] == PNG_MAGIC, f'{rel} is not a PNG'
        assert path.stat().st_size < 300_000, f'{rel} is {path.stat().st_size} bytes'


def test_results_anchor_links_name_existing_sections():
    text = (ROOT / 'docs' / 'results.md').read_text(encoding='utf-8')
    slugs = {re.sub(r'[^\w\- ]', '', h.strip().lower()).replace(' ', '-')
             for h in re.findall(r'^#+ (.+)$', text, flags=re.M)}
    anchors = re.findall(r'\]\(#([^)]+)\)', text)
    assert anchors and set(anchors) <= slugs, set(anchors) - slugs
