"""Importing this module registers everything: configs name it in
``custom_imports = dict(imports=['projects.register'])``.

It applies the compatibility shims in :mod:`projects.compat` (weights_only
allow-list, atomic checkpoint files, one-line checkpoint errors, unreadable
images skipped and counted, ``mmdet::`` config bases found without a metafile
scan, the one-value config switches applied on load) and registers our
datasets, transforms, hooks, loops, metrics and models in mmdet's and mmseg's
registries. Importing it twice does nothing more.
"""
from .compat import (allow_mmengine_checkpoints, apply_switches_on_load,
                     install_checkpoint_errors, install_unreadable_image_skip,
                     make_checkpoints_atomic, speed_up_external_config_paths)

allow_mmengine_checkpoints()
make_checkpoints_atomic()
install_checkpoint_errors()
install_unreadable_image_skip()
speed_up_external_config_paths()
apply_switches_on_load()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
