#!/usr/bin/env python
"""The CUDA decisions of ``make setup`` (``tools/setup_env.sh``), testable.

    python tools/misc/cuda_setup.py plan          # shell assignments for setup_env.sh
    python tools/misc/cuda_setup.py cuda-home     # find or assemble a CUDA_HOME
    python tools/misc/cuda_setup.py patch-mmcv SRC
    python tools/misc/cuda_setup.py fetch-sdist OUT_DIR

``plan`` decides CPU or CUDA ops **from torch, not from nvcc**: mmcv 2.1.0's
``setup.py`` builds its CUDA extension whenever ``torch.cuda.is_available()``,
whatever ``FORCE_CUDA`` says, so the build follows torch. The decision table
(``decide``):

=================  =====================  ====================  =============
``SETUP_CUDA``     torch sees a GPU       nvidia-smi lists GPUs  result
=================  =====================  ====================  =============
``0``              any                    any                   CPU ops
``1``              any (CUDA build)       any                   CUDA ops
unset              yes                    any                   CUDA ops
unset              no                     yes                   error line
unset              no                     no                    CPU ops
=================  =====================  ====================  =============

``cuda-home`` uses a system nvcc whose CUDA major version matches torch's;
otherwise it installs the nvcc/cccl wheels that match torch's own
``cuda-toolkit`` pin into the venv and builds a CUDA_HOME from them
(``site-packages/nvidia/cu13`` plus a ``lib64 -> lib`` and a ``libcudart.so``
link). Only the standard library is imported at module level; torch is asked
in ``probe_torch``.
"""
import argparse
import glob
import os
import os.path as osp
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

MMCV_VERSION = '2.1.0'
NVCC_JOB_GB = 1.5  # measured: one nvcc job of mmcv's .cu files peaks at about 1.3 GB
# Minimum Linux driver of each CUDA release (NVIDIA's CUDA toolkit release notes,
# table "CUDA Toolkit and Corresponding Driver Versions").
MIN_DRIVER = {'13.0': 580, '12.9': 575, '12.8': 570, '12.6': 560, '12.4': 550, '12.1': 530,
              '11.8': 520}
# CUDA builds on PyTorch's download index, newest first (https://pytorch.org/get-started/locally/)
TORCH_INDEX_BUILDS = ('13.0', '12.8', '12.6')
TORCH_INDEX = 'https://download.pytorch.org/whl/cu{tag}'
CUDA_EXTRAS = 'nvcc,cccl,crt,cudart,nvvm'  # every piece nvcc needs, pinned together


class SetupError(Exception):
    """A one-line reason that setup stops."""


@dataclass
class TorchInfo:
    """What the installed torch says about CUDA."""
    version: str                       # '2.13.0+cu130'
    cuda: Optional[str]                # '13.0'; None for a CPU build
    available: bool                    # torch.cuda.is_available()
    capabilities: List[str] = field(default_factory=list)  # ['9.0'] for each visible GPU
    toolkit_pin: Optional[str] = None  # '13.0.3' from torch's cuda-toolkit requirement


@dataclass
class SmiInfo:
    """What ``nvidia-smi`` says; ``gpus`` is empty when it lists none."""
    gpus: List[str]
    driver: Optional[str] = None


@dataclass
class Plan:
    """The build ``setup_env.sh`` runs."""
    want_cuda: bool
    reason: str
    arch_list: str = ''


def driver_major(driver: Optional[str]) -> int:
    try:
        return int(str(driver).split('.')[0])
    except ValueError:
        return 0


def torch_fix_command(driver: Optional[str], torch_version: str) -> str:
    """The pip command for the newest torch CUDA build this driver runs, or ''."""
    base = torch_version.split('+')[0]
    for cuda in TORCH_INDEX_BUILDS:
        if driver_major(driver) >= MIN_DRIVER[cuda]:
            return (f'pip install --force-reinstall torch=={base} --index-url '
                    + TORCH_INDEX.format(tag=cuda.replace('.', '')))
    return ''


def mismatch_message(torch: TorchInfo, smi: SmiInfo) -> str:
    """The one line for 'nvidia-smi lists GPUs but torch sees none'."""
    head = (f'nvidia-smi lists {len(smi.gpus)} GPU(s) (driver {smi.driver or "unknown"}) '
            f'but torch {torch.version} sees none: ')
    fix = torch_fix_command(smi.driver, torch.version)
    if torch.cuda is None:
        return (head + 'it is a CPU build. Fix: install a CUDA build of torch'
                + (f' ({fix})' if fix else '') + ', or SETUP_CUDA=0 for CPU ops')
    need = MIN_DRIVER.get(torch.cuda)
    reason = f'it was built for CUDA {torch.cuda}' + (
        f', which needs driver >= {need}' if need else '')
    fixes = [f'install an NVIDIA driver >= {need}' if need else 'install a newer NVIDIA driver']
    if fix and not fix.endswith('cu' + torch.cuda.replace('.', '')):
        fixes.append(f'or a torch build for an older CUDA: {fix}')
    return head + reason + '. Fix: ' + ', '.join(fixes) + '; then run make setup again'


def decide(setup_cuda: Optional[str], torch: TorchInfo, smi: SmiInfo,
           arch_env: Optional[str] = None) -> Plan:
    """CPU or CUDA ops for mmcv (the table in the module docstring)."""
    if setup_cuda not in (None, '', '0', '1'):
        raise SetupError(f'SETUP_CUDA must be 0 or 1, got {setup_cuda!r}')
    if setup_cuda == '0':
        return Plan(False, 'SETUP_CUDA=0')
    if setup_cuda == '1':
        if torch.cuda is None:
            raise SetupError(f'SETUP_CUDA=1 but torch {torch.version} is a CPU build; '
                             'install a CUDA build of torch first')
        reason = 'SETUP_CUDA=1'
    elif torch.available:
        reason = f'torch {torch.version} sees {len(torch.capabilities)} GPU(s)'
    elif smi.gpus:
        raise SetupError(mismatch_message(torch, smi))
    else:
        return Plan(False, f'no CUDA GPU (torch {torch.version})')
    arch = arch_env or ';'.join(sorted(set(torch.capabilities), key=float))
    if not arch:
        raise SetupError('SETUP_CUDA=1 with no visible GPU: set TORCH_CUDA_ARCH_LIST '
                         "(e.g. TORCH_CUDA_ARCH_LIST='8.0;9.0')")
    return Plan(True, reason, arch)


def max_jobs(nproc: int, mem_available_gb: float, want_cuda: bool) -> int:
    """Parallel compile jobs: the cores, capped by memory for nvcc (1.5 GB a job)."""
    if not want_cuda:
        return max(1, nproc)
    return max(1, min(nproc, int(mem_available_gb / NVCC_JOB_GB)))


def cache_key(torch_version: str, py: str, plan: Plan, cuda: Optional[str]) -> str:
    """The wheel-cache folder name: everything the compiled ops depend on."""
    kind = f'cuda-{cuda}_sm-{plan.arch_list.replace(";", "-")}' if plan.want_cuda else 'cpu'
    return f'mmcv-{MMCV_VERSION}_torch-{torch_version}_{kind}_py{py}'


# ----------------------------------------------------------------------------- probes
def probe_torch() -> TorchInfo:
    import importlib.metadata as md

    import warnings

    import torch
    with warnings.catch_warnings():  # "driver too old" is said by our own one line
        warnings.simplefilter('ignore')
        available = torch.cuda.is_available()
    caps = [f'{a}.{b}' for a, b in (torch.cuda.get_device_capability(i)
                                    for i in range(torch.cuda.device_count()))] \
        if available else []
    pin = None
    for req in md.requires('torch') or []:
        m = re.match(r'cuda-toolkit(\[[^\]]*\])?\s*==\s*([0-9.]+)', req)
        if m:
            pin = m.group(2)
    return TorchInfo(torch.__version__, torch.version.cuda, available, caps, pin)


def probe_smi(run: Callable = subprocess.run) -> SmiInfo:
    """GPUs and driver from nvidia-smi; no GPUs when it is missing or fails."""
    if shutil.which('nvidia-smi') is None:
        return SmiInfo([])
    try:
        out = run(['nvidia-smi', '--query-gpu=name,driver_version', '--format=csv,noheader'],
                  capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return SmiInfo([])
    rows = [r.rsplit(',', 1) for r in out.stdout.splitlines() if ',' in r] \
        if out.returncode == 0 else []
    return SmiInfo([r[0].strip() for r in rows], rows[0][1].strip() if rows else None)


def mem_available_gb() -> float:
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 8.0


def plan_env(env: Dict[str, str], torch: TorchInfo, smi: SmiInfo) -> Dict[str, str]:
    """The shell variables ``setup_env.sh`` reads."""
    plan = decide(env.get('SETUP_CUDA'), torch, smi, env.get('TORCH_CUDA_ARCH_LIST'))
    py = f'{sys.version_info[0]}.{sys.version_info[1]}'
    jobs = env.get('MAX_JOBS') or str(max_jobs(os.cpu_count() or 1, mem_available_gb(),
                                               plan.want_cuda))
    return dict(WANT_CUDA=str(int(plan.want_cuda)), PLAN_REASON=plan.reason,
                TORCH_CUDA_ARCH_LIST=plan.arch_list, MAX_JOBS=jobs,
                TORCH_CUDA=torch.cuda or '', TORCH_TOOLKIT_PIN=torch.toolkit_pin or '',
                CACHE_KEY=cache_key(torch.version, py, plan, torch.cuda))


# ----------------------------------------------------------------------------- CUDA_HOME
def nvcc_version(nvcc: str, run: Callable = subprocess.run) -> Optional[str]:
    """'13.0' from ``nvcc --version`` ('release 13.0, V13.0.88'), None if it fails."""
    try:
        out = run([nvcc, '--version'], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return None
    m = re.search(r'release (\d+\.\d+)', out)
    return m.group(1) if m else None


def nvcc_home(nvcc: str, run: Callable = subprocess.run) -> str:
    """The toolkit root of ``nvcc``: its own ``TOP`` (right for wrapper scripts
    such as ``/usr/local/bin/nvcc -> exec /usr/local/cuda-13.0/bin/nvcc``), else
    two levels above the resolved binary."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src = osp.join(tmp, 'probe.cu')
        open(src, 'w').close()
        try:
            out = run([nvcc, '--dryrun', '-c', src, '-o', osp.join(tmp, 'probe.o')],
                      capture_output=True, text=True, timeout=60)
            m = re.search(r'^#\$ TOP=(.+)$', out.stdout + out.stderr, re.M)
        except (OSError, subprocess.TimeoutExpired):
            m = None
    if m:
        return osp.normpath(m.group(1).strip())
    return osp.dirname(osp.dirname(osp.realpath(nvcc)))


def system_cuda_home(torch_cuda: str, env: Dict[str, str],
                     run: Callable = subprocess.run) -> Optional[str]:
    """A CUDA_HOME from ``$CUDA_HOME`` or the nvcc on PATH, if its major version matches."""
    candidates = []
    if env.get('CUDA_HOME'):
        candidates.append(osp.join(env['CUDA_HOME'], 'bin', 'nvcc'))
    found = shutil.which('nvcc', path=env.get('PATH'))
    if found:
        candidates.append(found)
    for nvcc in candidates:
        version = nvcc_version(nvcc, run) if osp.isfile(nvcc) else None
        if version and version.split('.')[0] == torch_cuda.split('.')[0]:
            return nvcc_home(nvcc, run)
    return None


def toolkit_requirement(torch_cuda: str, pin: Optional[str]) -> str:
    """The pip requirement for nvcc + headers matching torch (its own pin when known)."""
    version = f'=={pin}' if pin else f'=={torch_cuda}.*'
    return f'cuda-toolkit[{CUDA_EXTRAS}]{version}'


def assemble_cuda_home(site_packages: str, torch_cuda: str) -> str:
    """Turn ``site-packages/nvidia/cuXX`` from the wheels into a CUDA_HOME.

    torch's ``cpp_extension`` links ``$CUDA_HOME/lib64`` and ``-lcudart``; the
    wheels ship ``lib/`` and ``libcudart.so.13`` only, so two links are added.
    """
    major = torch_cuda.split('.')[0]
    home = osp.join(site_packages, 'nvidia', f'cu{major}')
    nvcc = osp.join(home, 'bin', 'nvcc')
    if not osp.isfile(nvcc):
        raise SetupError(f'no nvcc in {home}/bin after installing the CUDA {torch_cuda} wheels')
    lib64 = osp.join(home, 'lib64')
    if not osp.lexists(lib64):
        os.symlink('lib', lib64)
    cudart = osp.join(home, 'lib', 'libcudart.so')
    versioned = sorted(glob.glob(cudart + '.*'))
    if not osp.lexists(cudart) and versioned:
        os.symlink(osp.basename(versioned[0]), cudart)
    return home


def ensure_cuda_home(python: str, env: Dict[str, str], torch_cuda: str,
                     pin: Optional[str], run: Callable = subprocess.run,
                     pip_args: Sequence[str] = ()) -> str:
    """A CUDA_HOME whose nvcc matches torch: the system one, else wheels in the venv."""
    home = system_cuda_home(torch_cuda, env, run)
    if home:
        print(f'[setup] using the system CUDA toolkit {home} '
              f'(nvcc {nvcc_version(osp.join(home, "bin", "nvcc"), run)})', file=sys.stderr)
        return home
    req = toolkit_requirement(torch_cuda, pin)
    print(f'[setup] no nvcc for CUDA {torch_cuda}: installing {req} into the venv',
          file=sys.stderr)
    proc = run([python, '-m', 'pip', 'install', '--disable-pip-version-check', '-q',
                *pip_args, req], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ['']
        raise SetupError(f'could not install {req}: {tail[0]}')
    site = run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
               capture_output=True, text=True).stdout.strip()
    home = assemble_cuda_home(site, torch_cuda)
    print(f'[setup] CUDA_HOME={home} (nvcc {nvcc_version(osp.join(home, "bin", "nvcc"), run)}'
          ' from PyPI)', file=sys.stderr)
    return home


# ----------------------------------------------------------------------------- mmcv patches
THC_INCLUDE = '#include <THC/THCAtomics.cuh>'
ATEN_ATOMIC = '#include <ATen/cuda/Atomic.cuh>'


def patch_mmcv(src: str) -> List[str]:
    """Patch an unpacked mmcv 2.1.0 sdist for torch >= 2.6 headers; returns changed files.

    * ``-std=c++17`` -> ``-std=c++20`` in ``setup.py`` (new torch headers need it);
    * ``<THC/THCAtomics.cuh>`` (removed from torch) -> ``<ATen/cuda/Atomic.cuh>``.
    """
    changed = []
    setup_py = osp.join(src, 'setup.py')
    text = open(setup_py).read()
    if '-std=c++17' in text:
        open(setup_py, 'w').write(text.replace('-std=c++17', '-std=c++20'))
        changed.append(setup_py)
    for path in glob.glob(osp.join(src, 'mmcv', 'ops', 'csrc', '**', '*.*'), recursive=True):
        if not path.endswith(('.cuh', '.hpp', '.h', '.cu', '.cpp')):
            continue
        text = open(path, errors='surrogateescape').read()
        if THC_INCLUDE in text:
            open(path, 'w', errors='surrogateescape').write(
                text.replace(THC_INCLUDE, ATEN_ATOMIC))
            changed.append(path)
    return changed


def fetch_from_index(project: str, filename: str, out_dir: str,
                     index: str = 'https://pypi.org/simple') -> str:
    """Download one file of ``project`` from a simple index, checked by its sha256."""
    import hashlib
    import urllib.parse
    import urllib.request
    dest = osp.join(out_dir, filename)
    if osp.exists(dest):
        return dest
    page_url = f'{index.rstrip("/")}/{project}/'
    try:
        page = urllib.request.urlopen(page_url, timeout=60).read().decode()
        href = re.search(r'href="([^"]*/%s)#sha256=([0-9a-f]+)"' % re.escape(filename), page)
        if not href:
            raise SetupError(f'{filename} is not listed on {page_url}')
        url = urllib.parse.urljoin(page_url, href.group(1))
        os.makedirs(out_dir, exist_ok=True)
        tmp, digest = osp.join(out_dir, f'.{filename}.part'), hashlib.sha256()
        with urllib.request.urlopen(url, timeout=300) as resp, open(tmp, 'wb') as f:
            for chunk in iter(lambda: resp.read(1 << 20), b''):
                digest.update(chunk)
                f.write(chunk)
    except OSError as e:
        raise SetupError(f'could not download {filename} from {page_url}: {e}')
    if digest.hexdigest() != href.group(2):
        os.remove(tmp)
        raise SetupError(f'{filename} from {url} does not match the sha256 of {page_url}')
    os.replace(tmp, dest)
    return dest


def fetch_sdist(out_dir: str, index: str = 'https://pypi.org/simple') -> str:
    """Download ``mmcv-2.1.0.tar.gz`` straight from the index: ``pip download``
    would run mmcv's ``setup.py`` for the metadata, which needs torch (and a
    CUDA_HOME when torch sees a GPU)."""
    return fetch_from_index('mmcv', f'mmcv-{MMCV_VERSION}.tar.gz', out_dir, index)


# ----------------------------------------------------------------------------- command line
def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('plan', help='print shell assignments: WANT_CUDA, MAX_JOBS, CACHE_KEY ...')
    home = sub.add_parser('cuda-home', help='print a CUDA_HOME whose nvcc matches torch')
    home.add_argument('--pip-args', default='', help='extra pip arguments (a wheelhouse)')
    patch = sub.add_parser('patch-mmcv', help='patch an unpacked mmcv sdist')
    patch.add_argument('src')
    fetch = sub.add_parser('fetch-sdist', help='download the mmcv sdist into a folder')
    fetch.add_argument('out_dir')
    fetch.add_argument('--index', default=os.environ.get('PIP_INDEX_URL',
                                                         'https://pypi.org/simple'))
    args = parser.parse_args(argv)
    try:
        if args.cmd == 'plan':
            for key, value in plan_env(dict(os.environ), probe_torch(), probe_smi()).items():
                print(f'{key}={shlex.quote(value)}')
        elif args.cmd == 'cuda-home':
            torch = probe_torch()
            if torch.cuda is None:
                raise SetupError(f'torch {torch.version} is a CPU build: no CUDA_HOME needed')
            print(ensure_cuda_home(sys.executable, dict(os.environ), torch.cuda,
                                   torch.toolkit_pin, pip_args=shlex.split(args.pip_args)))
        elif args.cmd == 'fetch-sdist':
            print(fetch_sdist(args.out_dir, args.index))
        else:
            for path in patch_mmcv(args.src):
                print(f'patched {osp.relpath(path, args.src)}', file=sys.stderr)
    except SetupError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
