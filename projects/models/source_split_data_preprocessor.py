"""One way to split a student's batch into its human and pseudo-labelled parts."""
from typing import Dict, Iterable, List, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor
from mmengine.registry import MODELS
from torch import nn

from projects.utils.errors import UserInputError


def check_sources(parts: dict, names: Iterable[str], owner: str) -> None:
    """One line naming the part ``owner`` needs and no batch of ``parts`` holds."""
    for name in names:
        if name not in parts:
            raise UserInputError(
                f'{owner}: no "{name}" sample in the training batch (got {sorted(parts)}); '
                'use HumanPseudoDataset with MultiSourceSampler and SourceSplitDataPreprocessor')


@MODELS.register_module()
class SourceSplitDataPreprocessor(BaseDataPreprocessor):
    """Group a training batch by each sample's ``source``, then preprocess
    every group on its own with the wrapped data preprocessor.

    :class:`~projects.datasets.HumanPseudoDataset` tags each data sample with
    ``source`` (``'human'``, ``'pseudo'`` or ``'classify'``); mmdet's
    ``MultiSourceSampler`` fills each batch with a fixed share of each. This
    preprocessor is the one split that every student (detection and
    segmentation) and joint training use: each part is normalised and padded
    apart, exactly as mmdet's ``MultiBranchDataPreprocessor`` pads each
    branch. Validation and test batches (no ``source``) go through the
    wrapped preprocessor unchanged.

    Registered in mmengine's root ``MODELS``, so mmdet and mmseg configs both
    name it as ``type='SourceSplitDataPreprocessor'``.

    Args:
        data_preprocessor (dict): The per-image preprocessor of the student
            (``DetDataPreprocessor``, ``SegDataPreProcessor`` ...).

    Returns of :meth:`forward` in training: ``dict(inputs={source: (B_s, C, H, W)},
    data_samples={source: [B_s samples]})``, sources in batch order.
    """

    def __init__(self, data_preprocessor: dict) -> None:
        super().__init__()
        self.data_preprocessor = MODELS.build(data_preprocessor)

    def forward(self, data: dict, training: bool = False) -> dict:
        if not training:
            return self.data_preprocessor(data, training)
        samples = data['data_samples']
        groups: Dict[str, List[int]] = {}
        for i, sample in enumerate(samples):
            source = getattr(sample, 'metainfo', {}).get('source')
            if source is None:
                raise UserInputError(
                    'SourceSplitDataPreprocessor: a training sample has no `source` '
                    '(build the training set with HumanPseudoDataset)')
            groups.setdefault(source, []).append(i)
        inputs: Dict[str, torch.Tensor] = {}
        data_samples: Dict[str, list] = {}
        for source, idx in groups.items():
            part = dict(inputs=[data['inputs'][i] for i in idx],
                        data_samples=[samples[i] for i in idx])
            part = self.data_preprocessor(part, training)
            inputs[source], data_samples[source] = part['inputs'], part['data_samples']
        return dict(inputs=inputs, data_samples=data_samples)

    @property
    def device(self):
        return self.data_preprocessor.device

    def to(self, device: Optional[Union[int, torch.device]], *args, **kwargs) -> nn.Module:
        """Move the wrapped preprocessor, whose ``device`` is the one used."""
        return self.data_preprocessor.to(device, *args, **kwargs)

    def cuda(self, *args, **kwargs) -> nn.Module:
        return self.data_preprocessor.cuda(*args, **kwargs)

    def cpu(self, *args, **kwargs) -> nn.Module:
        return self.data_preprocessor.cpu(*args, **kwargs)
