"""tools/misc/cuda_setup.py: the CUDA decision of `make setup`, CUDA_HOME, cache key."""
import os
import os.path as osp
import subprocess

import pytest

from tools.misc import cuda_setup as cs
from tools.misc.cuda_setup import Plan, SetupError, SmiInfo, TorchInfo

CPU_TORCH = TorchInfo('2.13.0+cpu', None, False)
CUDA_TORCH = TorchInfo('2.13.0+cu130', '13.0', True, ['9.0', '9.0'], '13.0.3')
CUDA_TORCH_NO_GPU = TorchInfo('2.13.0+cu130', '13.0', False, [], '13.0.3')
H200 = SmiInfo(['NVIDIA H200', 'NVIDIA H200'], '580.82.07')
OLD_DRIVER = SmiInfo(['NVIDIA A100-SXM4-80GB'], '550.54.15')
NO_SMI = SmiInfo([])


@pytest.mark.parametrize('setup_cuda,torch,smi,want,reason', [
    ('0', CUDA_TORCH, H200, False, 'SETUP_CUDA=0'),
    ('1', CUDA_TORCH, H200, True, 'SETUP_CUDA=1'),
    (None, CUDA_TORCH, H200, True, 'sees 2 GPU(s)'),
    (None, CUDA_TORCH, NO_SMI, True, 'sees 2 GPU(s)'),   # a container without nvidia-smi
    (None, CPU_TORCH, NO_SMI, False, 'no CUDA GPU'),
    (None, CUDA_TORCH_NO_GPU, NO_SMI, False, 'no CUDA GPU'),
    ('', CPU_TORCH, NO_SMI, False, 'no CUDA GPU'),
])
def test_decision_table(setup_cuda, torch, smi, want, reason):
    plan = cs.decide(setup_cuda, torch, smi)
    assert plan.want_cuda is want and reason in plan.reason
    assert plan.arch_list == ('9.0' if want else '')  # two H200s give one arch


def test_gpus_listed_but_torch_sees_none_is_one_line_with_both_fixes():
    with pytest.raises(SetupError) as e:
        cs.decide(None, CUDA_TORCH_NO_GPU, OLD_DRIVER)
    msg = str(e.value)
    assert '\n' not in msg
    assert 'driver 550.54.15' in msg and 'CUDA 13.0' in msg and 'driver >= 580' in msg
    # the newest torch build a 550 driver runs is none of 13.0/12.8/12.6 -> driver fix only
    assert 'install an NVIDIA driver >= 580' in msg and '--index-url' not in msg
    newer = SmiInfo(['NVIDIA A100'], '565.57.01')
    msg = str(pytest.raises(SetupError, cs.decide, None, CUDA_TORCH_NO_GPU, newer).value)
    assert ('pip install --force-reinstall torch==2.13.0 --index-url '
            'https://download.pytorch.org/whl/cu126') in msg


def test_cpu_torch_on_a_gpu_machine_names_the_cuda_build():
    msg = str(pytest.raises(SetupError, cs.decide, None, CPU_TORCH, H200).value)
    assert 'CPU build' in msg and 'whl/cu130' in msg and 'SETUP_CUDA=0' in msg


def test_forcing_cuda():
    with pytest.raises(SetupError, match='CPU build'):
        cs.decide('1', CPU_TORCH, NO_SMI)
    with pytest.raises(SetupError, match='TORCH_CUDA_ARCH_LIST'):
        cs.decide('1', CUDA_TORCH_NO_GPU, NO_SMI)  # a login node: no GPU to ask
    plan = cs.decide('1', CUDA_TORCH_NO_GPU, NO_SMI, arch_env='8.0;9.0')
    assert plan.want_cuda and plan.arch_list == '8.0;9.0'
    assert cs.decide(None, CUDA_TORCH, H200, arch_env='8.6').arch_list == '8.6'  # override
    with pytest.raises(SetupError, match='SETUP_CUDA must be 0 or 1'):
        cs.decide('yes', CUDA_TORCH, H200)


def test_arch_list_of_mixed_gpus_is_sorted_and_unique():
    torch = TorchInfo('2.13.0+cu130', '13.0', True, ['9.0', '8.0', '8.6', '8.0'])
    assert cs.decide(None, torch, NO_SMI).arch_list == '8.0;8.6;9.0'


def test_max_jobs_is_capped_by_memory_for_nvcc_only():
    assert cs.max_jobs(16, 128.0, True) == 16
    assert cs.max_jobs(16, 10.0, True) == 6      # 10 GB / 1.5 GB per nvcc job
    assert cs.max_jobs(16, 1.0, True) == 1
    assert cs.max_jobs(2, 1.0, False) == 2       # CPU ops: g++ jobs are small


def test_cache_key_tells_every_build_apart():
    cpu = cs.cache_key('2.13.0+cpu', '3.11', Plan(False, ''), None)
    assert cpu == 'mmcv-2.1.0_torch-2.13.0+cpu_cpu_py3.11'
    cuda = cs.cache_key('2.13.0+cu130', '3.12', Plan(True, '', '8.0;9.0'), '13.0')
    assert cuda == 'mmcv-2.1.0_torch-2.13.0+cu130_cuda-13.0_sm-8.0-9.0_py3.12'
    keys = {cs.cache_key(v, py, plan, c) for v, py, plan, c in [
        ('2.13.0+cpu', '3.11', Plan(False, ''), None),
        ('2.13.0+cu130', '3.11', Plan(False, ''), '13.0'),       # CUDA torch, CPU ops
        ('2.13.0+cu130', '3.11', Plan(True, '', '9.0'), '13.0'),
        ('2.13.0+cu130', '3.11', Plan(True, '', '8.0'), '13.0'),
        ('2.13.0+cu126', '3.11', Plan(True, '', '9.0'), '12.6'),
        ('2.13.0+cu130', '3.12', Plan(True, '', '9.0'), '13.0')]}
    assert len(keys) == 6


def test_plan_env_reads_the_environment():
    env = cs.plan_env(dict(SETUP_CUDA='0', MAX_JOBS='3'), CUDA_TORCH, H200)
    assert env['WANT_CUDA'] == '0' and env['MAX_JOBS'] == '3'
    assert env['CACHE_KEY'].startswith('mmcv-2.1.0_torch-2.13.0+cu130_cpu_py')
    env = cs.plan_env({}, CUDA_TORCH, H200)
    assert env['WANT_CUDA'] == '1' and env['TORCH_CUDA_ARCH_LIST'] == '9.0'
    assert env['TORCH_TOOLKIT_PIN'] == '13.0.3' and '_cuda-13.0_sm-9.0_' in env['CACHE_KEY']


def test_probe_smi_parses_nvidia_smi(tmp_path, monkeypatch):
    fake = tmp_path / 'nvidia-smi'
    fake.write_text('#!/bin/sh\necho "NVIDIA H200, 580.82.07"\necho "NVIDIA H200, 580.82.07"\n')
    fake.chmod(0o755)
    monkeypatch.setenv('PATH', f'{tmp_path}:{os.environ["PATH"]}')
    smi = cs.probe_smi()
    assert smi.gpus == ['NVIDIA H200'] * 2 and smi.driver == '580.82.07'
    fake.write_text('#!/bin/sh\necho "NVIDIA-SMI has failed" >&2\nexit 9\n')
    assert cs.probe_smi().gpus == []


def _fake_nvcc(bindir, release):
    os.makedirs(bindir, exist_ok=True)
    nvcc = osp.join(bindir, 'nvcc')
    with open(nvcc, 'w') as f:
        f.write(f'#!/bin/sh\necho "Cuda compilation tools, release {release}, V{release}.88"\n')
    os.chmod(nvcc, 0o755)
    return nvcc


def test_system_nvcc_is_used_only_when_its_major_matches(tmp_path):
    _fake_nvcc(str(tmp_path / 'cuda-13.0' / 'bin'), '13.0')
    _fake_nvcc(str(tmp_path / 'cuda-12.4' / 'bin'), '12.4')
    path = f'{tmp_path}/cuda-12.4/bin:/usr/bin:/bin'
    assert cs.system_cuda_home('13.0', dict(PATH=path)) is None
    assert cs.system_cuda_home('12.6', dict(PATH=path)) == str(tmp_path / 'cuda-12.4')
    env = dict(PATH=path, CUDA_HOME=str(tmp_path / 'cuda-13.0'))
    assert cs.system_cuda_home('13.0', env) == str(tmp_path / 'cuda-13.0')


def test_a_wrapper_script_nvcc_gives_the_real_toolkit(tmp_path):
    real = tmp_path / 'cuda-13.0'
    _fake_nvcc(str(real / 'bin'), '13.0')
    (tmp_path / 'bin').mkdir()
    wrapper = tmp_path / 'bin' / 'nvcc'  # like /usr/local/bin/nvcc on some images
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *--dryrun*) echo "#$ TOP={real}/bin/..";; '
                       f'*) exec {real}/bin/nvcc "$@";; esac\n')
    wrapper.chmod(0o755)
    assert cs.system_cuda_home('13.0', dict(PATH=f'{tmp_path}/bin:/bin')) == str(real)


def test_cuda_home_assembled_from_the_pypi_wheels(tmp_path):
    site = tmp_path / 'site-packages'
    home = site / 'nvidia' / 'cu13'
    _fake_nvcc(str(home / 'bin'), '13.0')
    (home / 'lib').mkdir()
    (home / 'lib' / 'libcudart.so.13').write_bytes(b'\x7fELF')
    (home / 'include').mkdir()
    got = cs.assemble_cuda_home(str(site), '13.0')
    assert got == str(home)
    assert os.readlink(home / 'lib64') == 'lib' and (home / 'lib64' / 'libcudart.so.13').exists()
    assert os.readlink(home / 'lib' / 'libcudart.so') == 'libcudart.so.13'
    assert cs.assemble_cuda_home(str(site), '13.0') == str(home)  # idempotent
    with pytest.raises(SetupError, match='no nvcc'):
        cs.assemble_cuda_home(str(site), '12.6')


def test_ensure_cuda_home_installs_the_toolkit_pinned_like_torch(tmp_path):
    """Without a matching nvcc, pip installs cuda-toolkit at torch's own pin."""
    site = tmp_path / 'site'
    calls = []

    def run(cmd, **kw):
        calls.append(cmd)
        if cmd[1:4] == ['-m', 'pip', 'install']:
            _fake_nvcc(str(site / 'nvidia' / 'cu13' / 'bin'), '13.0')
            (site / 'nvidia' / 'cu13' / 'lib').mkdir()
            return subprocess.CompletedProcess(cmd, 0, '', '')
        if cmd[1] == '-c':
            return subprocess.CompletedProcess(cmd, 0, f'{site}\n', '')
        return subprocess.run(cmd, **kw)
    home = cs.ensure_cuda_home('py', dict(PATH='/usr/bin:/bin'), '13.0', '13.0.3', run=run,
                               pip_args=['--no-index', '--find-links', '/wh'])
    assert home == str(site / 'nvidia' / 'cu13')
    install = calls[0]
    assert install[-1] == 'cuda-toolkit[nvcc,cccl,crt,cudart,nvvm]==13.0.3'
    assert install[-4:-1] == ['--no-index', '--find-links', '/wh']
    assert cs.toolkit_requirement('12.6', None) == 'cuda-toolkit[nvcc,cccl,crt,cudart,nvvm]==12.6.*'


def test_patch_mmcv(tmp_path):
    src = tmp_path / 'mmcv-2.1.0'
    (src / 'mmcv' / 'ops' / 'csrc' / 'common').mkdir(parents=True)
    (src / 'setup.py').write_text("args = ['-std=c++17']\nnvcc = ['-std=c++17']\n")
    helper = src / 'mmcv' / 'ops' / 'csrc' / 'common' / 'pytorch_cuda_helper.hpp'
    helper.write_text('#include <ATen/ATen.h>\n#include <THC/THCAtomics.cuh>\n')
    other = src / 'mmcv' / 'ops' / 'csrc' / 'common' / 'other.hpp'
    other.write_text('#include <ATen/ATen.h>\n')
    changed = cs.patch_mmcv(str(src))
    assert sorted(changed) == sorted([str(src / 'setup.py'), str(helper)])
    assert (src / 'setup.py').read_text().count('-std=c++20') == 2
    assert helper.read_text() == '#include <ATen/ATen.h>\n#include <ATen/cuda/Atomic.cuh>\n'
    assert cs.patch_mmcv(str(src)) == []  # idempotent


def test_command_line_error_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(cs, 'probe_torch', lambda: CUDA_TORCH_NO_GPU)
    monkeypatch.setattr(cs, 'probe_smi', lambda: OLD_DRIVER)
    monkeypatch.delenv('SETUP_CUDA', raising=False)
    assert cs.main(['plan']) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: nvidia-smi lists 1 GPU(s)') and err.count('\n') == 1
    monkeypatch.setattr(cs, 'probe_smi', lambda: NO_SMI)
    assert cs.main(['plan']) == 0
    out = capsys.readouterr().out
    assert 'WANT_CUDA=0' in out and "PLAN_REASON='no CUDA GPU" in out
