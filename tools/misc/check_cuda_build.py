#!/usr/bin/env python
"""Compile mmcv 2.1.0's nms, roi_align and focal-loss CUDA kernels with PyPI's nvcc.

    python tools/misc/check_cuda_build.py [--toolkit 13.0.3] [--arch 90] \\
        [--work build/cuda-check] [--jobs 2]          # what `make check-cuda-build` runs

Proves, on a machine without a GPU or a CUDA toolkit, the path `make setup`
takes on a driver-only GPU machine: the nvcc/cccl wheels at torch's pin
(``cuda-toolkit[nvcc,cccl,crt,cudart,nvvm]==13.0.3``, read from the pin of
PyPI's torch 2.13.0 CUDA build) into ``--work``, a CUDA_HOME assembled from them
(``tools/misc/cuda_setup.py``), the mmcv sdist patched as setup patches it
(``-std=c++20``, ``<ATen/cuda/Atomic.cuh>``), and each ``.cu`` compiled with
torch's headers and mmcv's flags for ``sm_<arch>``. Each object must carry a
``.nv_fatbin`` section whose fat binary holds an ``sm_<arch>`` cubin. About 35 s
and 1.3 GB per file.
A CPU torch ships no generated CUDA headers, so the CUDA wheel of the same
torch version is fetched and only its ``torch/include`` kept
(``cuda_torch_headers``); those headers include cuBLAS/cuSPARSE/cuSOLVER
headers, which a CUDA torch brings with its own dependencies, so they are
unpacked from the same wheels (``torch_library_headers``). About 1.5 GB of
downloads on a first run, cached under ``--work``.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
import sysconfig
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.misc import cuda_setup as cs  # noqa: E402

KERNELS = ('nms_cuda.cu', 'roi_align_cuda.cu', 'focal_loss_cuda.cu')


def cuda_torch_headers(work: str):
    """torch's include folder as a CUDA build of torch ships it, and its
    ``cuda-toolkit`` pin.

    A CPU torch lacks the generated CUDA headers (``c10/cuda/impl/
    cuda_cmake_macros.h``): then the CUDA wheel of the same torch version is
    fetched from PyPI (once, checked by sha256) and only ``torch/include`` and
    the metadata are kept.
    """
    import zipfile

    import torch
    local = osp.join(osp.dirname(torch.__file__), 'include')
    if osp.isfile(osp.join(local, 'c10', 'cuda', 'impl', 'cuda_cmake_macros.h')):
        return local, cs.probe_torch().toolkit_pin
    base = torch.__version__.split('+')[0]
    dest = osp.join(work, f'torch-{base}-cuda')
    meta = osp.join(dest, 'METADATA')
    if not osp.isfile(meta):
        py = f'cp{sys.version_info[0]}{sys.version_info[1]}'
        print(f'torch {torch.__version__} is a CPU build: fetching the headers of the '
              f'torch {base} CUDA wheel from PyPI', flush=True)
        wheel = cs.fetch_from_index('torch', f'torch-{base}-{py}-{py}-manylinux_2_28_x86_64.whl',
                                    work)
        with zipfile.ZipFile(wheel) as z:
            z.extractall(dest, [m for m in z.namelist() if m.startswith('torch/include/')])
            name = next(m for m in z.namelist() if m.endswith('.dist-info/METADATA'))
            tmp = meta + '.part'
            with open(tmp, 'wb') as f:
                f.write(z.read(name))
            os.replace(tmp, meta)
        os.remove(wheel)
    pins = [m.group(2) for m in (re.match(r'Requires-Dist: cuda-toolkit(\[[^\]]*\])?\s*==\s*'
                                          r'([0-9.]+)', line) for line in open(meta)) if m]
    return osp.join(dest, 'torch', 'include'), (pins[0] if pins else None)


def toolkit_home(work: str, pin: str) -> str:
    """Install the nvcc wheels at ``pin`` under ``work`` (once) and assemble a CUDA_HOME."""
    target = osp.join(work, f'toolkit-{pin}')
    cuda = '.'.join(pin.split('.')[:2])
    if not osp.isfile(osp.join(target, 'nvidia', f'cu{cuda.split(".")[0]}', 'bin', 'nvcc')):
        req = cs.toolkit_requirement(cuda, pin)
        print(f'installing {req} into {target}', flush=True)
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check',
                        '-q', '--target', target, req], check=True)
    home = cs.assemble_cuda_home(target, cuda)
    if not osp.isfile(osp.join(home, 'include', 'cusparse.h')):
        torch_library_headers(work, target, pin)
    return home


def torch_library_headers(work: str, target: str, pin: str) -> None:
    """The cuBLAS / cuSPARSE / cuSOLVER headers that torch's CUDA headers include.

    On a GPU machine torch's own CUDA dependencies (``cuda-toolkit[cublas,
    cusparse,cusolver,...]``) put them into ``site-packages/nvidia/cu13/include``,
    which is our CUDA_HOME there. A CPU torch has none: take the same wheels
    (about 900 MB of download) and unpack only their ``include/`` folders.
    """
    import zipfile
    dl = osp.join(work, 'library-wheels')
    print(f'fetching the cuBLAS/cuSPARSE/cuSOLVER headers of cuda-toolkit {pin}', flush=True)
    subprocess.run([sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '-q',
                    '-d', dl, f'cuda-toolkit[cublas,cusparse,cusolver]=={pin}'], check=True)
    for wheel in sorted(os.listdir(dl)):
        if not wheel.startswith(('nvidia_cublas', 'nvidia_cusparse', 'nvidia_cusolver')):
            continue
        with zipfile.ZipFile(osp.join(dl, wheel)) as z:
            z.extractall(target, [m for m in z.namelist() if '/include/' in m])


def mmcv_source(work: str) -> str:
    src = osp.join(work, 'mmcv-2.1.0')
    if not osp.isdir(src):
        with tarfile.open(cs.fetch_sdist(work)) as tar:
            tar.extractall(work)
    for path in cs.patch_mmcv(src):
        print(f'patched {osp.relpath(path, src)}')
    return src


def nvcc_command(home: str, torch_inc: str, src: str, kernel: str, arch: str,
                 out: str) -> list:
    """mmcv's setup.py flags for one kernel, with torch's include paths."""
    import torch
    from torch.utils import cpp_extension
    csrc = osp.join(src, 'mmcv', 'ops', 'csrc')
    includes = [torch_inc, osp.join(torch_inc, 'torch', 'csrc', 'api', 'include'),
                osp.join(csrc, 'pytorch'), osp.join(csrc, 'common'),
                osp.join(csrc, 'common', 'cuda'), osp.join(home, 'include'),
                sysconfig.get_paths()['include']]
    abi = int(torch._C._GLIBCXX_USE_CXX11_ABI)
    return ([osp.join(home, 'bin', 'nvcc'), '-c', osp.join(csrc, 'pytorch', 'cuda', kernel),
             '-o', out] + [f'-I{p}' for p in includes]
            + list(cpp_extension.COMMON_NVCC_FLAGS)
            + ['-DMMCV_WITH_CUDA', '-DTORCH_API_INCLUDE_EXTENSION_H',
               '-DTORCH_EXTENSION_NAME=_ext', f'-D_GLIBCXX_USE_CXX11_ABI={abi}',
               f'-gencode=arch=compute_{arch},code=sm_{arch}', '-std=c++20',
               '--compiler-options', "'-fPIC'"])


FATBIN_MAGIC = 0xBA55ED50


def fatbin_entries(obj: str) -> list:
    """(kind, arch) of each entry of the object's ``.nv_fatbin`` section; kind 2
    is a cubin (SASS for ``sm_<arch>``), kind 1 is PTX."""
    import struct
    import tempfile
    with tempfile.NamedTemporaryFile() as raw:
        if subprocess.run(['objcopy', '-O', 'binary', '--only-section=.nv_fatbin', obj,
                           raw.name], capture_output=True).returncode != 0:
            return []
        data = open(raw.name, 'rb').read()
    if len(data) < 16 or struct.unpack_from('<I', data)[0] != FATBIN_MAGIC:
        return []
    header, size = struct.unpack_from('<HQ', data, 6)
    entries, off = [], header
    while off + 32 <= min(len(data), header + size):
        kind, entry_header, payload = struct.unpack_from('<HxxIQ', data, off)
        entries.append((kind, struct.unpack_from('<I', data, off + 28)[0]))
        off += entry_header + payload
    return entries


def has_device_code(obj: str, arch: str) -> bool:
    """The object's fat binary holds a cubin for ``sm_<arch>``."""
    return (2, int(arch)) in fatbin_entries(obj)


def compile_one(home: str, torch_inc: str, src: str, kernel: str, arch: str,
                out_dir: str) -> dict:
    obj = osp.join(out_dir, kernel.replace('.cu', f'.sm{arch}.o'))
    env = dict(os.environ, CUDA_HOME=home, PATH=f'{home}/bin:{os.environ["PATH"]}')
    start = time.time()
    proc = subprocess.run(nvcc_command(home, torch_inc, src, kernel, arch, obj), env=env,
                          capture_output=True, text=True)
    ok = proc.returncode == 0 and has_device_code(obj, arch)
    return dict(kernel=kernel, ok=ok, seconds=time.time() - start,
                size_kb=osp.getsize(obj) // 1024 if osp.exists(obj) else 0,
                log=(proc.stdout + proc.stderr)[-3000:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--toolkit', help="cuda-toolkit version; default: torch's own pin")
    parser.add_argument('--arch', default='90', help='compute capability, e.g. 90 for H100/H200')
    parser.add_argument('--work', default=osp.join(ROOT, 'build', 'cuda-check'))
    parser.add_argument('--jobs', type=int, default=cs.max_jobs(os.cpu_count() or 1,
                                                                cs.mem_available_gb(), True))
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    try:
        torch_inc, pin = cuda_torch_headers(args.work)
        pin = args.toolkit or pin
        if not pin:
            raise cs.SetupError("torch names no cuda-toolkit pin: give --toolkit (e.g. 13.0.3)")
        home = toolkit_home(args.work, pin)
        src = mmcv_source(args.work)
    except (cs.SetupError, subprocess.CalledProcessError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'torch headers: {torch_inc}\n'
          f'CUDA_HOME={home} (nvcc {cs.nvcc_version(osp.join(home, "bin", "nvcc"))}); '
          f'compiling {len(KERNELS)} kernels for sm_{args.arch}, {args.jobs} at a time', flush=True)
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda k: compile_one(home, torch_inc, src, k, args.arch,
                                                        args.work), KERNELS))
    for r in rows:
        print(f'{r["kernel"]}: {"ok" if r["ok"] else "FAILED"} in {r["seconds"]:.0f} s '
              f'({r["size_kb"]} KB object)')
    bad = [r for r in rows if not r['ok']]
    if bad:
        print(bad[0]['log'], file=sys.stderr)
        print(f'error: {bad[0]["kernel"]} did not compile to sm_{args.arch} code', file=sys.stderr)
        return 1
    print(f'check-cuda-build: all {len(rows)} kernels compiled for sm_{args.arch}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
