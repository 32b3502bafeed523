"""Backbone initialisation from a checkpoint read with ``weights_only=True``."""
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS
from mmengine.runner.checkpoint import _load_checkpoint_to_model, load_state_dict

from projects.compat.checkpoint_loading import load_checkpoint_safely
from projects.utils.errors import CheckpointError


@WEIGHT_INITIALIZERS.register_module(name='SafePretrained')
class SafePretrained(PretrainedInit):
    """``init_cfg=dict(type='SafePretrained', checkpoint=...)``: mmengine's
    ``Pretrained`` initialisation, with the checkpoint read by
    :func:`projects.compat.checkpoint_loading.load_checkpoint_safely`.

    mmengine's ``Pretrained`` reads URLs, ``torchvision://`` and
    ``open-mmlab://`` through ``torch.hub``, which unpickles with
    ``weights_only=False``; this one reads every scheme with
    ``weights_only=True`` and ends a bad file in one line. Our configs name
    it wherever they initialise from ImageNet (``tests/test_configs.py``
    checks that no config of ours resolves to ``Pretrained``).

    Args:
        checkpoint (str): A local path, ``http(s)://``, ``torchvision://NAME``,
            ``open-mmlab://NAME`` or ``offline-imagenet://NAME``.
        prefix (str, optional): Load only the keys under this prefix (e.g.
            ``'backbone.'`` of a whole detector's checkpoint).
        map_location (str): Where tensors are loaded. Defaults to 'cpu'.
    """

    def __call__(self, module) -> None:
        checkpoint = load_checkpoint_safely(self.checkpoint, map_location=self.map_location)
        if self.prefix is None:
            print_log(f'load model from: {self.checkpoint}', logger='current')
            _load_checkpoint_to_model(module, checkpoint, strict=False, logger='current')
        else:
            print_log(f'load {self.prefix} in model from: {self.checkpoint}', logger='current')
            state = checkpoint.get('state_dict', checkpoint)
            prefix = self.prefix if self.prefix.endswith('.') else self.prefix + '.'
            state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
            if not state:
                raise CheckpointError(f'{self.checkpoint} has no key under {prefix!r}')
            load_state_dict(module, state, strict=False, logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self) -> str:
        return f'{self.__class__.__name__}: load from {self.checkpoint}'
