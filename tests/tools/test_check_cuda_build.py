"""tools/misc/check_cuda_build.py: reading the fat binary of a compiled object.

The compile itself is `make check-cuda-build` (opt-in: about 1.5 GB of downloads and
a few minutes of nvcc); here its verdict is tested on objects whose
``.nv_fatbin`` section is written by hand."""
import shutil
import struct
import subprocess

import pytest

from tools.misc import check_cuda_build as ccb


def _entry(kind, arch, payload=b'\0' * 24):
    head = struct.pack('<HHIQIIHHI', kind, 0, 64, len(payload), 0, 0, 0, 0, arch)
    return head + b'\0' * (64 - len(head)) + payload


def _object(tmp_path, fatbin=None):
    if not (shutil.which('gcc') and shutil.which('objcopy')):
        pytest.skip('needs gcc and objcopy')
    src = tmp_path / 'k.c'
    src.write_text('int k(void) { return 0; }\n')
    obj = tmp_path / 'k.o'
    subprocess.run(['gcc', '-c', str(src), '-o', str(obj)], check=True)
    if fatbin is not None:
        blob = tmp_path / 'fatbin.bin'
        blob.write_bytes(fatbin)
        subprocess.run(['objcopy', '--add-section', f'.nv_fatbin={blob}', '--set-section-flags',
                        '.nv_fatbin=alloc,load,readonly,data', str(obj)], check=True)
    return str(obj)


def _fatbin(*entries):
    body = b''.join(entries)
    return struct.pack('<IHHQ', ccb.FATBIN_MAGIC, 1, 16, len(body)) + body


def test_cubin_entries_are_read(tmp_path):
    obj = _object(tmp_path, _fatbin(_entry(1, 90), _entry(2, 80), _entry(2, 90)))
    assert ccb.fatbin_entries(obj) == [(1, 90), (2, 80), (2, 90)]
    assert ccb.has_device_code(obj, '90') and ccb.has_device_code(obj, '80')
    assert not ccb.has_device_code(obj, '100')


def test_ptx_only_or_no_fatbin_is_not_device_code(tmp_path):
    assert not ccb.has_device_code(_object(tmp_path, _fatbin(_entry(1, 90))), '90')
    assert ccb.fatbin_entries(_object(tmp_path)) == []                       # host-only object
    assert ccb.fatbin_entries(_object(tmp_path, b'not a fat binary')) == []  # wrong magic
