"""The slurm and dist launchers pass arguments through in mmdet's order
(--launcher before the tool's own options, so --cfg-options stays last)."""
import os
import subprocess

import pytest

from tests.conftest import ROOT


def _fake(tmp_path, name):
    """A stand-in for ``name`` on PATH that prints its arguments."""
    path = tmp_path / name
    path.write_text('#!/usr/bin/env bash\necho "$@"\n')
    path.chmod(0o755)
    return dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}')


@pytest.mark.parametrize('script,args,expected', [
    ('slurm_train.sh', ['p', 'job', 'a.py', 'w', '--cfg-options', 'x=1'],
     'tools/train.py a.py --work-dir=w --launcher=slurm --cfg-options x=1'),
    ('slurm_test.sh', ['p', 'job', 'a.py', 'c.pth', '--out', 'r.pkl'],
     'tools/test.py a.py c.pth --launcher=slurm --out r.pkl'),
])
def test_slurm_scripts(tmp_path, script, args, expected):
    env = _fake(tmp_path, 'srun')
    proc = subprocess.run(['bash', f'tools/{script}'] + args, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert '-p p --job-name=job' in proc.stdout and expected in proc.stdout


@pytest.mark.parametrize('script,args,expected', [
    ('dist_train.sh', ['a.py', '2', '--cfg-options', 'x=1 y'],
     ['tools/train.py', 'a.py', '--launcher', 'pytorch', '--cfg-options', 'x=1 y']),
    ('dist_test.sh', ['a.py', 'c.pth', '3'],
     ['tools/test.py', 'a.py', 'c.pth', '--launcher', 'pytorch']),
    ('dist_pseudo_mask.sh', ['a.py', 'c.pth', '2', '--flip'],
     ['tools/pseudo_mask.py', 'a.py', 'c.pth', '--launcher', 'pytorch', '--flip']),
])
def test_dist_scripts(tmp_path, script, args, expected):
    fake = tmp_path / 'python'
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    fake.chmod(0o755)
    env = dict(os.environ, PYTHON=str(fake), NNODES='1')
    proc = subprocess.run(['bash', f'tools/{script}'] + args, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f'--nproc_per_node={args[1] if script == "dist_train.sh" else args[2]}' in lines
    tail = lines[-len(expected):]
    assert tail[0].endswith(expected[0]) and tail[1:] == expected[1:]


def test_usage_errors():
    proc = subprocess.run(['bash', 'tools/dist_test.sh', 'a.py'], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and 'usage:' in proc.stderr
