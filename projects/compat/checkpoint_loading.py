"""Checkpoint loading with ``weights_only=True`` on every scheme our configs use.

mmengine's loaders for ``http(s)://``, ``torchvision://`` and
``open-mmlab://`` go through ``torch.hub.load_state_dict_from_url``, which
unpickles with ``weights_only=False`` (torch 2.13; mmengine 0.11 passes it
explicitly), so a code-running pickle in the hub cache runs. Here every
scheme resolves to a local file, downloaded into the same torch hub cache
(``torch.hub.get_dir()/checkpoints``, one download per node: local rank 0,
then a barrier) when it is a URL, and is read by :func:`torch_load_safely`
(``weights_only=True``, mmengine's types allowed for that call):

* a local path;
* ``http://``, ``https://``;
* ``torchvision://NAME`` and ``modelzoo://NAME`` (mmengine's table of
  torchvision URLs, read without importing torchvision);
* ``open-mmlab://NAME`` and ``openmmlab://NAME`` (mmengine's tables,
  deprecated names included);
* ``offline-imagenet://NAME`` (ours, :mod:`projects.models.imagenet_mobilenet_v2`).

Every failure is a one-line :class:`CheckpointError`. Our runner
(:class:`~projects.engine.runner.RethinkRunner`) loads ``load_from`` and
``--resume`` through :func:`load_checkpoint_safely`, our configs initialise
backbones with :class:`~projects.models.SafePretrained` (which does too), and
so do our tools and the fixed teacher. mmengine's own scheme table is not
changed.
"""
import os
import os.path as osp
from urllib.parse import urlparse

import mmengine
from mmengine.dist import barrier, get_dist_info
from mmengine.runner.checkpoint import (_get_mmengine_home, get_deprecated_model_names,
                                        get_external_models)

from projects.utils.errors import CheckpointError

from .checkpoint_errors import safe_load_from_local

URL_SCHEMES = ('http://', 'https://')
TORCHVISION = ('torchvision://', 'modelzoo://')
OPENMMLAB = ('open-mmlab://', 'openmmlab://')
OFFLINE = 'offline-imagenet://'


def _torchvision_url(name: str) -> str:
    urls = mmengine.load(osp.join(mmengine.__path__[0], 'hub', 'torchvision_0.12.json'))
    if name not in urls:
        raise CheckpointError(f'torchvision://{name}: no such torchvision model '
                              f'(known: {", ".join(sorted(urls)[:5])} ...)')
    return urls[name]


def _openmmlab_target(name: str) -> str:
    name = get_deprecated_model_names().get(name, name)
    urls = get_external_models()
    if name not in urls:
        raise CheckpointError(f'open-mmlab://{name}: no such OpenMMLab model')
    url = urls[name]
    return url if url.startswith(URL_SCHEMES) else osp.join(_get_mmengine_home(), url)


def cached_download(url: str) -> str:
    """The hub-cache file of ``url``, downloaded first on local rank 0 if absent."""
    import torch.hub
    folder = osp.join(torch.hub.get_dir(), 'checkpoints')
    path = osp.join(folder, osp.basename(urlparse(url).path))
    local_rank = int(os.environ.get('LOCAL_RANK', get_dist_info()[0]))
    if local_rank == 0 and not osp.isfile(path):
        os.makedirs(folder, exist_ok=True)
        try:
            torch.hub.download_url_to_file(url, path, progress=os.isatty(2))
        except Exception as e:  # noqa: BLE001  (URLError, HTTPError, timeouts ...)
            raise CheckpointError(f'cannot download {url}: {e}') from None
    if get_dist_info()[1] > 1:
        barrier()
    return path


def checkpoint_file(filename: str) -> str:
    """The local file a checkpoint name of any supported scheme stands for."""
    if filename.startswith(TORCHVISION):
        filename = _torchvision_url(filename.split('://', 1)[1])
    elif filename.startswith(OPENMMLAB):
        filename = _openmmlab_target(filename.split('://', 1)[1])
    if filename.startswith(URL_SCHEMES):
        return cached_download(filename)
    return filename


def check_finite(checkpoint, filename: str) -> None:
    """A one-line :class:`CheckpointError` when a floating tensor of the weights holds
    NaN or Inf (a diverged run: tools would test it, label with it, or train on from
    it, and exit 0 with empty results)."""
    import torch
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    for key, value in state.items() if isinstance(state, dict) else ():
        if torch.is_tensor(value) and value.is_floating_point():
            bad = int((~torch.isfinite(value)).sum())
            if bad:
                raise CheckpointError(f'{filename} holds non-finite weights (first: {key}, {bad} '
                                      f'of {value.numel()} values NaN/Inf): a diverged run; '
                                      'use an earlier checkpoint')


def load_checkpoint_safely(filename: str, map_location=None):
    """The checkpoint ``filename`` (any scheme above), read with ``weights_only=True``;
    weights holding NaN/Inf are refused (:func:`check_finite`)."""
    checkpoint = _load(str(filename), map_location)
    check_finite(checkpoint, str(filename))
    return checkpoint


def _load(filename: str, map_location):
    if filename.startswith(OFFLINE):  # a file of an installed package, in torchvision's keys
        from projects.models.imagenet_mobilenet_v2 import convert_mobilenet_v2, weights_path
        path = weights_path(filename[len(OFFLINE):])
        return dict(state_dict=convert_mobilenet_v2(safe_load_from_local(path, map_location)))
    if '://' in filename and not filename.startswith(URL_SCHEMES + TORCHVISION + OPENMMLAB):
        raise CheckpointError(f'{filename}: unsupported checkpoint scheme for safe loading '
                              f'(supported: a local path, {", ".join(URL_SCHEMES + TORCHVISION)}'
                              f', {", ".join(OPENMMLAB)}, {OFFLINE})')
    return safe_load_from_local(checkpoint_file(filename), map_location)


__all__ = ['cached_download', 'check_finite', 'checkpoint_file', 'load_checkpoint_safely']


MIN_MATCHED_SHARE = 0.5  # of the model's parameter values a load_from must fill


def check_matched_share(model, checkpoint: dict, filename: str,
                        revise_keys=((r'^module.', ''),), min_share: float = MIN_MATCHED_SHARE):
    """Refuse, in one line, a checkpoint that fills less than ``min_share`` of
    ``model``'s parameter and buffer values (a wrong file, another
    architecture); name the first missing and the first unexpected key.

    A model key counts as filled when the checkpoint holds a tensor of its
    shape under the same key or under a dotted suffix of it (a plain
    detector's ``backbone.x`` fills a student's ``student.backbone.x``, as
    the wrappers' loaders map it). ``load_from_partial = True`` in a config
    (``--cfg-options load_from_partial=True``) skips this check.
    """
    import re
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    for pattern, repl in revise_keys:
        state = {re.sub(pattern, repl, k): v for k, v in state.items()}
    shapes = {k: tuple(v.shape) for k, v in state.items() if hasattr(v, 'shape')}
    model_state = model.state_dict()
    total = sum(v.numel() for v in model_state.values()) or 1
    filled, missing, used = 0, [], set()
    for key, value in model_state.items():
        parts = key.split('.')
        match = next((s for s in ('.'.join(parts[i:]) for i in range(len(parts)))
                      if shapes.get(s) == tuple(value.shape)), None)
        if match is None:
            missing.append(key)
        else:
            filled += value.numel()
            used.add(match)
    share = filled / total
    if share < min_share:
        unexpected = [k for k in state if k not in used]
        raise CheckpointError(
            f'{filename}: fills {share:.0%} of the model\'s weights (first missing: '
            f'{missing[0] if missing else None!r}, first unexpected: '
            f'{unexpected[0] if unexpected else None!r}); a checkpoint of another model? '
            'To load it anyway: --cfg-options load_from_partial=True')
