"""Start-up helpers shared by the tools: CPU distributed runs, config loading."""
import atexit
import gc
import os
import os.path as osp
import subprocess
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config, ConfigDict

from projects import register_all

from .config_switches import resolve_switches
from .errors import UserInputError


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` with a one-line error for a missing file, then
    ``cfg_options`` merged and the one-value switches applied
    (:mod:`projects.utils.config_switches`)."""
    if not osp.isfile(path):
        raise UserInputError(f'config file not found: {path}')
    register_all()  # our registries (a config's custom_imports does the same)
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as e:  # the file or one of its bases: mmengine parses without a name
        raise UserInputError(f'{path} (or a config it inherits): syntax error at line '
                             f'{e.lineno}: {e.msg}') from None
    except TypeError as e:  # mmengine: a child's dict over a base's plain value
        if 'cannot inherit from base' not in str(e):
            raise
        raise UserInputError(f'{path}: {str(e).split(". You may set")[0]}') from None
    # the file's switches, then only those the options change, so that nested
    # overrides stay as given (the runner finds nothing left to apply)
    resolve_switches(cfg)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
        resolve_switches(cfg)
    return cfg


def _slurm_env_to_torch() -> None:
    """Fill torchrun-style variables from SLURM ones (CPU fallback only)."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        addr = subprocess.getoutput(f'scontrol show hostname {nodes} | head -n1')
        os.environ['MASTER_ADDR'] = addr
    os.environ.setdefault('MASTER_PORT', os.environ.get('PORT', '29500'))


def _destroy_group() -> None:
    """At exit: free what still holds the group (a runner's DDP model lives in
    reference cycles until a collection), then destroy it, so the group's
    threads are joined while the runtime is whole, not in static destructors."""
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.destroy_process_group()


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Fall back to a gloo process group when there is no CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device``, which fails on a
    CPU-only machine, so the gloo group is created here, before the Runner,
    which then skips its own initialisation. DDP is told not to use devices.

    Returns:
        True if a CPU process group was started.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher == 'slurm':
        _slurm_env_to_torch()
    elif launcher != 'pytorch':
        raise UserInputError(f'launcher {launcher!r} needs CUDA; on CPU use '
                             '--launcher pytorch (tools/dist_train.sh)')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
        # tear the group down before interpreter shutdown: left to static
        # destructors, a gloo/store thread still joinable at exit is destroyed
        # and the C++ runtime aborts the rank ('terminate called without an
        # active exception', SIGABRT), after the work is done
        atexit.register(_destroy_group)
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    cfg.setdefault('env_cfg', ConfigDict())
    cfg.env_cfg.setdefault('dist_cfg', ConfigDict())
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    return True
