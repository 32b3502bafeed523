"""Make SyncBN configs behave sensibly outside multi-GPU training."""
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from torch import nn

from mmengine.registry import HOOKS


def count_sync_bn(model: nn.Module) -> int:
    """Number of ``SyncBatchNorm`` layers in ``model``."""
    return sum(isinstance(m, nn.SyncBatchNorm) for m in model.modules())


@HOOKS.register_module()
class SyncBNFallbackHook(Hook):
    """With one process, turn SyncBN into BN with a warning; on a CPU
    process group (gloo), where SyncBN cannot run, stop with a clear error.

    The BN layers share their parameters and buffers with the SyncBN layers
    they replace, so the optimizer and loaded weights are unaffected.
    """
    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        n = count_sync_bn(runner.model)
        if n == 0:
            return
        if runner.world_size == 1:
            revert_sync_batchnorm(runner.model)
            print_log(f'SyncBNFallbackHook: one process, so the {n} SyncBN '
                      'layers run as plain BN (batch statistics per process).',
                      logger='current', level=30)
            return
        device = next(runner.model.parameters()).device
        if device.type == 'cpu':
            raise RuntimeError(
                f'SyncBN needs CUDA, but this {runner.world_size}-process run '
                'is on the CPU (gloo). Use a gn-all or bn config, or run on GPUs.')
