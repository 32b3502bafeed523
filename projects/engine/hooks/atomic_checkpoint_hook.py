"""mmengine's CheckpointHook with every checkpoint written atomically."""
import hashlib
import os.path as osp
import pickle

from mmengine.dist import is_main_process, master_only
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

from projects.fileio import atomic_save_checkpoint
from projects.fileio.atomic_local_backend import NAME
from projects.utils.io import atomic_write_text


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints appear whole or not at all.

    Local checkpoints (``iter_N.pth``, the best, the last of ``save_last``)
    go through :class:`~projects.fileio.AtomicLocalBackend` (``PATH.part``,
    then a rename); so do published models (``published_keys``), which are
    also read with the safe loader. A ``backend_args`` naming another
    backend (``petrel``, ``s3`` ...) is used as given, as mmengine does.
    The one-line pointer ``WORK_DIR/last_checkpoint`` (what mmengine's
    ``resume=True`` reads) is replaced atomically too, after its checkpoint
    is whole: a kill leaves the old pointer to a whole checkpoint.

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

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """mmengine 0.10.7's step: rotate old checkpoints, save, then point
        ``last_checkpoint`` at the new one, the pointer written atomically."""
        self._rotate_checkpoints(runner, step)
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir, ckpt_filename, self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta, by_epoch=self.by_epoch, backend_args=self.backend_args, **self.args)
        if is_main_process():  # sharded states are pulled on every rank; one pointer
            atomic_write_text(self.last_ckpt, osp.join(runner.work_dir, 'last_checkpoint'))

    def _rotate_checkpoints(self, runner, step: int) -> None:
        """Drop the oldest checkpoint once ``max_keep_ckpts`` are kept (as mmengine)."""
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            return
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            old = self.keep_ckpt_ids.popleft()
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(old))
            if is_main_process():
                if self.file_backend.isfile(path):
                    self.file_backend.remove(path)
                elif self.file_backend.isdir(path):  # deepspeed saves directories
                    self.file_backend.rmtree(path)
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

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
