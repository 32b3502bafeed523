"""Shared fixtures: repo paths, generated demo data, running the real tools."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.normpath(osp.join(ROOT, '..', 'shared', 'data'))
DEMO_CONFIG = 'configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i_demo.py'

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import projects  # noqa: E402

projects.register_all()  # as a config's custom_imports does (mmdet's tests: register_all_modules)


def _memoize_config_files():
    """Parse each config file once per pytest run (about 270 configs share a few
    dozen bases): ``Config._file2dict`` results are cached by path, mtime and
    arguments (and the external-path resolver, which a test swaps) and handed
    out as deep copies, so a test that edits its config changes nothing else."""
    import copy
    import mmengine.config.config as config_module
    from mmengine.config import Config
    parse, cache = Config._file2dict, {}

    def file2dict(filename, use_predefined_variables=True, use_environment_variables=True,
                  lazy_import=None):
        path = osp.abspath(osp.expanduser(filename))
        key = (path, os.stat(path).st_mtime_ns, use_predefined_variables,
               use_environment_variables, lazy_import, id(config_module._get_external_cfg_path))
        if key not in cache:
            cache[key] = parse(filename, use_predefined_variables, use_environment_variables,
                               lazy_import)
        return copy.deepcopy(cache[key])

    Config._file2dict = staticmethod(file2dict)


_memoize_config_files()

if os.environ.get('PYTEST_XDIST_WORKER'):  # `make test`: one core per worker, as run_tool's
    import torch                             # children get (OMP_NUM_THREADS=1)
    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """``optin`` tests run only with RUN_OPTIN=1 (``make test-slow``)."""
    if os.environ.get('RUN_OPTIN') == '1':
        return
    skip = pytest.mark.skip(reason='opt-in: make test-slow (RUN_OPTIN=1)')
    for item in items:
        if 'optin' in item.keywords:
            item.add_marker(skip)


def shared_data(name):
    """Path of a real data set under ../shared/data, skipping when absent."""
    path = osp.join(SHARED_DATA, name)
    if not osp.isdir(path):
        pytest.skip(f'{path} not present')
    return path


def free_port() -> str:
    """A TCP port nobody listens on now, for a torchrun rendezvous in a test
    (a fixed port fails when an earlier run's socket is still in TIME_WAIT)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def run_tool(args, timeout=900, env=None, check=True, fresh=False):
    """Run ``python <tool> args`` from the repo root; return CompletedProcess.

    The interpreter is the warm one of :mod:`tests.tool_zygote` (the tool's
    nested runs too, through ``PYTHON``); ``fresh=True`` starts the tool in a
    new one (its nested runs stay warm): each tool's subprocess smoke test."""
    from tests.tool_zygote import python_command
    warm = python_command()
    python = sys.executable if fresh else warm
    full_env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', PYTHON=warm)
    full_env.update(env or {})
    proc = subprocess.run([python] + list(args), cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc


def call_tool(args, check=True):
    """Run ``tool args`` in this process: the tool's ``main(argv)`` through
    ``run_main``, as its ``__main__`` does, without the 5-6 s of imports a new
    interpreter pays. Returns a CompletedProcess (exit code, stdout, stderr).
    For error paths and JSON tools; each tool keeps a subprocess smoke test."""
    import contextlib
    import importlib
    import io
    from tools.lib.cli import run_main
    module = importlib.import_module(osp.splitext(args[0])[0].replace('/', '.'))
    out, err, code, environ = io.StringIO(), io.StringIO(), 0, dict(os.environ)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run_main(lambda: module.main(list(args[1:])))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
        finally:  # a tool may set variables for its workers (train.py's record file)
            os.environ.clear()
            os.environ.update(environ)
    proc = subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f'{" ".join(args)} failed ({code}):\n{proc.stdout[-3000:]}\n'
                             f'{proc.stderr[-5000:]}')
    return proc


def logged_scalars(work_dir):
    """Every row mmengine logged in ``work_dir`` (``*/vis_data/scalars.json``)."""
    import glob
    import json
    return [json.loads(line)
            for p in glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
            for line in open(p)]


def demo_cfg_options(data_dir, **extra):
    """--cfg-options that point the demo config at ``data_dir``."""
    opts = [f'train_dataloader.dataset.data_root={data_dir}/',
            f'val_dataloader.dataset.data_root={data_dir}/',
            f'test_dataloader.dataset.data_root={data_dir}/',
            f'val_evaluator.ann_file={data_dir}/annotations/instances_val.json',
            f'test_evaluator.ann_file={data_dir}/annotations/instances_val.json']
    return opts + [f'{k}={v}' for k, v in extra.items()]


def once_per_run(tmp_path_factory, name, make):
    """The folder ``name``, filled by ``make(folder)`` once per test run.

    Under pytest-xdist (``make test`` runs ``-n 2``) every worker asks for it:
    the first makes it in the run's shared temporary folder while holding a
    lock, the others wait and reuse it. Tests must not write into it."""
    from filelock import FileLock
    root = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        root = root.parent  # shared by the workers of this run
    folder, done = root / name, root / f'{name}.done'
    with FileLock(str(root / f'{name}.lock')):
        if not done.exists():
            if folder.exists():
                import shutil
                shutil.rmtree(folder)  # a worker that died half-way
            folder.mkdir()
            make(str(folder))
            done.touch()
    return str(folder)


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory):
    """A small demo data set (48 scenes), generated once per run."""
    from tools.misc.make_demo_data import generate
    return once_per_run(tmp_path_factory, 'demo',
                        lambda out: generate(out, num_images=48, seed=1, img_size=96))


# a scaled-down long schedule: 1x = 24 iterations, so N=1 gives LR drops at
# 24 - round(60000 * 24/90000) = 8 and 24 - round(20000 * 24/90000) = 19
SHORT = dict(**{'train_cfg.base_iters': 24, 'train_cfg.multiplier': 1,
                'train_cfg.warmup_iters': 7500,
                'train_cfg.val_interval': 45000, 'train_cfg.checkpoint_interval': 22500,
                'custom_hooks.1.loss_interval': 1, 'default_hooks.logger.interval': 1,
                'train_dataloader.batch_size': 4, 'randomness.deterministic': True})


def train_demo(work_dir, data, extra=(), check=True, fresh=False, **opts):
    """Train the demo RetinaNet on ``data`` with the SHORT schedule."""
    args = ['tools/train.py', DEMO_CONFIG, '--work-dir', work_dir, '--cfg-options'] + \
        demo_cfg_options(data, **dict(SHORT, **opts)) + list(extra)
    return run_tool(args, check=check, fresh=fresh)


SEG_CONFIG = (
    'configs/demo/sup_deeplabv3plus_r18w16-scratch_d8_gn-all_1xb8-300i_demo-voc-lab50.py')


def seg_opts(data, iters=10):
    """--cfg-options for the demo segmentor on ``data``/voc, ``iters`` x 3 iterations."""
    voc = f'{data}/voc/'
    return ['--cfg-options', f'train_dataloader.dataset.data_root={voc}',
            f'val_dataloader.dataset.data_root={voc}', f'test_dataloader.dataset.data_root={voc}',
            f'train_cfg.base_iters={iters}', 'train_cfg.checkpoint_interval=90000',
            'train_cfg.val_interval=90000', 'default_hooks.logger.interval=1',
            'randomness.deterministic=True']


@pytest.fixture(scope='session')
def seg_teacher(demo_data, tmp_path_factory):
    """Checkpoint of a 30-iteration demo DeepLabV3+ (trained once per run)."""
    work = once_per_run(tmp_path_factory, 'segteacher', lambda w: run_tool(
        ['tools/train.py', SEG_CONFIG, '--work-dir', w] + seg_opts(demo_data)))
    return osp.join(work, 'iter_30.pth')


@pytest.fixture(scope='session')
def trained(tmp_path_factory, demo_data):
    """Work dir of a 24-iteration demo RetinaNet run (``iter_24.pth``)."""
    # train.py's subprocess smoke test: a fresh interpreter
    return once_per_run(tmp_path_factory, 'train',
                        lambda work: train_demo(work, demo_data, fresh=True))
