"""Resolve ``mmdet::_base_/....py`` config paths without reading model metafiles.

mmengine resolves ``package::path`` by first looking ``path`` up in every
``metafile.yml`` the package's ``model-index.yml`` lists (mmdet: about 300 YAML
files, 0.5 s on our CPU machine, repeated for each such base of each config
parse), and falls back to ``package/.mim/configs/path`` when the lookup fails.
The lookup strips the extension from ``path`` but keeps it on the metafile
keys, so a path ending in ``.py`` never matches and always ends at the fallback.
:func:`external_cfg_path` goes straight there for such paths (same file, same
result) and leaves bare model names to mmengine.
"""
import os.path as osp

import mmengine.config.config as config_module
from mmengine.config import utils as config_utils

_mmengine_external_cfg_path = config_utils._get_external_cfg_path


def external_cfg_path(package_path: str, cfg_file: str) -> str:
    """``mmengine.config.utils._get_external_cfg_path`` without the metafile
    scan for file paths (``_base_/default_runtime.py``)."""
    direct = osp.join(package_path, '.mim', 'configs', cfg_file)
    if cfg_file.endswith('.py') and osp.isfile(direct):
        return direct
    return _mmengine_external_cfg_path(package_path, cfg_file)


def speed_up_external_config_paths() -> None:
    """Route mmengine's ``Config`` through :func:`external_cfg_path`."""
    config_module._get_external_cfg_path = external_cfg_path


__all__ = ['external_cfg_path', 'speed_up_external_config_paths']
