"""mmdet's MobileNetV2 without the layers after its last output."""
from mmdet.models.backbones import MobileNetV2
from mmdet.registry import MODELS


@MODELS.register_module()
class TrimmedMobileNetV2(MobileNetV2):
    """``MobileNetV2`` that builds no stage after ``max(out_indices)``.

    mmdet always builds all eight stages, the last being ``conv2`` (1x1 to 1280
    channels), and runs them all. With ``out_indices`` that stop earlier, e.g.
    ``(2, 4, 6)`` for an FPN, ``conv2`` is computed and thrown away, and its
    parameters never get a gradient: DistributedDataParallel then stops at
    iteration 2 ("parameters ... received no gradient"). Dropping the unused
    stages fixes that without ``find_unused_parameters``, which costs every step.

    Checkpoints that hold the dropped stages (torchvision's ImageNet weights,
    checkpoints of the full backbone) load without "unexpected key" noise: their
    tensors are skipped.

    Args:
        **kwargs: as mmdet's ``MobileNetV2``.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        last = max(self.out_indices)
        self.dropped = self.layers[last + 1:]
        for name in self.dropped:
            delattr(self, name)
        self.layers = self.layers[:last + 1]
        self._register_load_state_dict_pre_hook(self._skip_dropped)

    def _skip_dropped(self, state_dict, prefix, *args) -> None:
        """Remove the dropped stages' tensors from a state dict being loaded."""
        starts = tuple(f'{prefix}{name}.' for name in self.dropped)
        for key in [k for k in state_dict if k.startswith(starts)]:
            del state_dict[key]
