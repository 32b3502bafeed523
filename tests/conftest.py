"""Shared fixtures: repo paths, generated demo data, running the real tools."""
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.normpath(osp.join(ROOT, '..', 'shared', 'data'))
DEMO_CONFIG = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py'

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def shared_data(name):
    """Path of a real data set under ../shared/data, skipping when absent."""
    path = osp.join(SHARED_DATA, name)
    if not osp.isdir(path):
        pytest.skip(f'{path} not present')
    return path


def run_tool(args, timeout=900, env=None, check=True):
    """Run ``python <tool> args`` from the repo root; return CompletedProcess."""
    full_env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    full_env.update(env or {})
    proc = subprocess.run([sys.executable] + list(args), cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc


def demo_cfg_options(data_dir, **extra):
    """--cfg-options that point the demo config at ``data_dir``."""
    opts = [f'train_dataloader.dataset.data_root={data_dir}/',
            f'val_dataloader.dataset.data_root={data_dir}/',
            f'test_dataloader.dataset.data_root={data_dir}/',
            f'val_evaluator.ann_file={data_dir}/annotations/instances_val.json',
            f'test_evaluator.ann_file={data_dir}/annotations/instances_val.json']
    return opts + [f'{k}={v}' for k, v in extra.items()]


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory):
    """A small demo data set (48 scenes), generated once per session."""
    out = str(tmp_path_factory.mktemp('demo'))
    from tools.misc.make_demo_data import generate
    generate(out, num_images=48, seed=1, img_size=96)
    return out
