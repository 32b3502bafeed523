"""mmengine's CheckpointHook with every checkpoint written atomically."""
import hashlib
import os.path as osp
import pickle

from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

from projects.fileio import atomic_save_checkpoint
from projects.fileio.atomic_local_backend import NAME


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints appear whole or not at all.

    Local checkpoints (``iter_N.pth``, the best, the last of ``save_last``)
    go through :class:`~projects.fileio.AtomicLocalBackend` (``PATH.part``,
    then a rename); so do published models (``published_keys``), which are
    also read with the safe loader. A ``backend_args`` naming another
    backend (``petrel``, ``s3`` ...) is used as given, as mmengine does.
    mmengine still writes the one-line pointer ``WORK_DIR/last_checkpoint``
    in place; our ``tools/train.py --resume`` does not read it (it takes the
    newest ``iter_N.pth`` that loads).

    Args:
        backend_args (dict, optional): As ``CheckpointHook``'s. Defaults to
            ``dict(backend='atomic_local')`` when ``out_dir`` is local.
        **kwargs: ``CheckpointHook``'s other arguments.
    """

    def __init__(self, *args, backend_args=None, **kwargs) -> None:
        out_dir = kwargs.get('out_dir')
        remote = isinstance(out_dir, str) and '://' in out_dir
        if backend_args is None and not remote and kwargs.get('file_client_args') is None:
            backend_args = dict(backend=NAME)
        super().__init__(*args, backend_args=backend_args, **kwargs)

    @master_only
    def _publish_model(self, runner, ckpt_path: str) -> None:
        """Save ``ckpt_path`` without the keys outside ``published_keys`` as
        ``NAME-SHA8.pth`` (mmengine's naming), atomically."""
        from projects.compat.checkpoint_loading import load_checkpoint_safely
        checkpoint = load_checkpoint_safely(ckpt_path)
        removed = [key for key in list(checkpoint) if key not in self.published_keys]
        for key in removed:
            checkpoint.pop(key)
        if removed:
            print_log(f'Key {removed} will be removed because they are not found in '
                      f'published_keys. If you want to keep them, please set `{removed}` '
                      'in published_keys', logger='current')
        sha = hashlib.sha256(pickle.dumps(checkpoint)).hexdigest()
        final_path = osp.splitext(ckpt_path)[0] + f'-{sha[:8]}.pth'
        atomic_save_checkpoint(checkpoint, final_path)
        print_log(f'The checkpoint ({ckpt_path}) is published to {final_path}.',
                  logger='current')
