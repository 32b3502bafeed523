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


# ---------------------------------------------------------------- docs that cannot rot (#35)
TEXTS = DOCS + sorted(ROOT.glob('configs/**/README.md'))
PATH_TOKEN = re.compile(r'(?<![\w/.-])((?:tools|configs)/[^\s`\'")\]|,;:]+)')
WRAPPERS = {'dist_train.sh': 'train.py', 'dist_test.sh': 'test.py', 'slurm_train.sh': 'train.py',
            'slurm_test.sh': 'test.py', 'dist_pseudo_label.sh': 'pseudo_label.py',
            'dist_pseudo_mask.sh': 'pseudo_mask.py'}


def _paths(text: str):
    for token in PATH_TOKEN.findall(text):
        token = token.rstrip('.').rstrip('/')
        if any(c in token for c in '{}*<>') or re.search(r'/[A-Z_]+(\.py)?$', token):
            continue  # a pattern or a placeholder (THIS_FILE)
        if re.search(r'/my_[\w.-]+$', token):
            continue  # a user's new file in an example: configs/bccd/my_student_s3.py
        yield token


@pytest.mark.parametrize('doc', TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_tool_and_config_exists(doc):
    missing = sorted({p for p in _paths(doc.read_text(encoding='utf-8'))
                      if not (ROOT / p).exists()})
    assert not missing, f'{doc.relative_to(ROOT)} names files that do not exist: {missing}'


def test_every_figure_is_referenced_and_every_reference_exists():
    text = ''.join(p.read_text(encoding='utf-8') for p in TEXTS)
    named = set(re.findall(r'figures/([\w.-]+\.png)', text))
    present = {p.name for p in (ROOT / 'docs' / 'figures').glob('*.png')}
    assert not named - present, f'referenced but missing: {sorted(named - present)}'
    assert not present - named, f'in docs/figures but referenced nowhere: {sorted(present - named)}'


def _commands(text: str):
    """(tool path, flags) of every command line shown: code blocks (continuation lines
    joined) and inline code."""
    blocks = re.findall(r'```(?:bash|sh)?\n(.*?)```', text, flags=re.S)
    lines = [line for b in blocks for line in b.replace('\\\n', ' ').splitlines()]
    lines += re.findall(r'`([^`\n]*tools/[^`\n]*)`', text)
    for line in lines:
        line = line.split('#')[0]
        found = re.search(r'(tools/[\w/]+\.(?:py|sh))', line)
        if found:
            yield found.group(1), set(re.findall(r'(?<![\w-])(--[a-z][\w-]*)', line[found.end():]))


def _tool_source(tool: str) -> str:
    path = ROOT / tool
    name = path.name
    if name in WRAPPERS:  # a launcher passes the flags on to its tool
        path = ROOT / 'tools' / WRAPPERS[name]
    return path.read_text(encoding='utf-8')


@pytest.mark.parametrize('doc', TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flag_shown_for_a_tool_is_one_it_takes(doc):
    wrong = set()
    for tool, flags in _commands(doc.read_text(encoding='utf-8')):
        if not (ROOT / tool).exists():
            continue  # test_every_named_tool_and_config_exists names it
        source = _tool_source(tool)
        wrong |= {f'{tool} {f}' for f in flags if f"'{f}'" not in source and f not in source}
    assert not wrong, f'{doc.relative_to(ROOT)} shows flags its tools do not take: {sorted(wrong)}'


def test_every_config_in_reproducing_md_is_one_the_config_test_loads():
    from tests.test_configs import CONFIGS
    loaded = {str(Path(p).resolve().relative_to(ROOT)) for p in CONFIGS}
    named = set(re.findall(r'`(configs/[\w./-]+\.py)`',
                           (ROOT / 'docs' / 'reproducing.md').read_text(encoding='utf-8')))
    assert len(named) > 250 and not named - loaded, sorted(named - loaded)[:5]


def test_the_flag_check_finds_a_flag_a_tool_does_not_take():
    text = '```bash\npython tools/train.py CONFIG --work-dir W \\\n    --nope 1\n```'
    shown = list(_commands(text))
    assert shown == [('tools/train.py', {'--work-dir', '--nope'})]
    source = _tool_source('tools/dist_train.sh')  # a launcher: its tool's flags
    assert "'--work-dir'" in source and "'--nope'" not in source


@pytest.mark.optin
def test_reproducing_md_is_what_its_generator_writes():
    """docs/reproducing.md is generated (its first line says by what); loading its 311
    configs takes about 2 minutes, so this runs in make test-slow."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, 'tools/misc/gen_reproducing_doc.py', '--check'],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]


def test_every_readme_command_parses():
    """Each README command line of a Python tool goes through that tool's own argument
    parser (and checks, such as config files existing); a dist_train.sh line's
    config and GPU count through train.py's (the launcher adds --launcher)."""
    import importlib
    import shlex
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    parsed = 0
    for line in re.findall(r'`((?:python )?tools/[^`]+)`', text):
        words = shlex.split(line.replace('python ', '', 1))
        tool, argv = words[0], words[1:]
        if not argv or any(w.isupper() for w in argv) or argv[0].startswith('-'):
            continue  # a placeholder (CONFIG), the tool's name alone, or a flag named in prose
        if tool == 'tools/dist_train.sh':
            tool, argv = 'tools/train.py', [argv[0], '--launcher', 'pytorch']
        module = importlib.import_module(tool[:-3].replace('/', '.'))
        if hasattr(module, 'parse_args'):
            module.parse_args(argv)
            parsed += 1
    assert parsed >= 5, parsed
