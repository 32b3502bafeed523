"""Human-labelled and pseudo-labelled data as one dataset with named parts."""
import copy
from typing import Optional, Union

from mmengine.dataset import BaseDataset, ConcatDataset
from mmengine.registry import DATASETS


@DATASETS.register_module()
class HumanPseudoDataset(ConcatDataset):
    """A :class:`ConcatDataset` of named parts, ``human`` then ``pseudo`` (a
    student's), then ``classify`` (joint training's classification images);
    ``human`` is required, the others optional.

    Naming the parts (instead of a ``datasets=[...]`` list) lets a child
    config change one value of one part, e.g.
    ``train_dataloader = dict(dataset=dict(human=dict(ann_file=...)))``,
    and lets tools override ``train_dataloader.dataset.pseudo.ann_file``.
    Pair it with mmdet's ``MultiSourceSampler`` (``source_ratio=[1, 1]``)
    so that every batch is half human, half pseudo: the sampler's sources are
    the parts present, in this order. Every data sample is tagged with its
    part's name (``source``), which :class:`SourceSplitDataPreprocessor`
    splits batches by: the one split of every student and of joint training.

    A ``pseudo`` (or ``classify``) config without ``metainfo`` (an image
    folder, say) gets the human part's, so all parts share one class list.

    Args:
        human: config (or instance) of the human-labelled dataset.
        pseudo: optional config (or instance) of the pseudo-labelled dataset.
        classify: optional config (or instance) of classification images
            (``JointTrainingDetector``).
        lazy_init: as in :class:`ConcatDataset`.
    """

    SOURCES = ('human', 'pseudo', 'classify')

    def __init__(self, human: Union[dict, BaseDataset],
                 pseudo: Optional[Union[dict, BaseDataset]] = None,
                 classify: Optional[Union[dict, BaseDataset]] = None,
                 lazy_init: bool = False) -> None:
        parts = [(name, part) for name, part in
                 zip(self.SOURCES, (human, pseudo, classify)) if part is not None]
        for name, part in parts:
            if not isinstance(part, (dict, BaseDataset)):
                raise TypeError(f'HumanPseudoDataset: `{name}` must be a dataset config '
                                f'dict or a dataset, got {type(part).__name__}')
        datasets = [human]
        for name, part in parts[1:]:
            if isinstance(part, dict) and not part.get('metainfo'):
                if isinstance(datasets[0], dict):
                    datasets[0] = DATASETS.build(datasets[0])
                part = dict(part, metainfo=copy.deepcopy(datasets[0].metainfo))
            datasets.append(part)
        self.part_names = tuple(name for name, _ in parts)
        super().__init__(datasets=datasets, lazy_init=lazy_init)

    def __getitem__(self, idx: int) -> dict:
        """The sample, its data sample tagged ``source='human'|'pseudo'|'classify'``
        (:class:`SourceSplitDataPreprocessor` splits batches by it)."""
        data = super().__getitem__(idx)
        samples = data.get('data_samples') if isinstance(data, dict) else None
        if hasattr(samples, 'set_metainfo'):
            source, _ = self._get_ori_dataset_idx(idx)
            samples.set_metainfo(dict(source=self.part_names[source]))
        return data

    @property
    def human(self) -> BaseDataset:
        """The human-labelled part (the first)."""
        return self.datasets[0]

    @property
    def pseudo(self) -> BaseDataset:
        """The pseudo-labelled part."""
        if 'pseudo' not in self.part_names:
            raise AttributeError('HumanPseudoDataset: this dataset has no pseudo part')
        return self.datasets[self.part_names.index('pseudo')]
