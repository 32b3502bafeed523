"""Importing this module registers everything: configs name it in
``custom_imports = dict(imports=['projects.register'])``.

It registers our datasets, transforms, hooks, loops, runner, metrics and
models in mmengine's, mmdet's and mmseg's registries, and nothing else: no
class or module of mmcv, mmengine or mmdet is changed, so every config that
is not ours resolves and runs as it does without us. Importing it twice does
nothing more.
"""
from . import datasets, engine, evaluation, fileio, models  # noqa: F401
