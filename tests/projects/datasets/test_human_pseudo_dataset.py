"""HumanPseudoDataset: named parts, source order, one-line errors."""
import cv2
import numpy as np
import pytest
from mmengine.dataset import BaseDataset
from mmengine.registry import init_default_scope

from projects.datasets import HumanPseudoDataset


class _Toy(BaseDataset):

    def __init__(self, n, classes=None):
        self.n = n
        super().__init__(serialize_data=False,
                         metainfo=dict(classes=classes) if classes else None)

    def load_data_list(self):
        return [dict(i=i) for i in range(self.n)]


def test_parts_and_source_order():
    ds = HumanPseudoDataset(human=_Toy(3), pseudo=_Toy(5))
    assert len(ds) == 8 and ds.cumulative_sizes == [3, 8]
    assert len(ds.human) == 3 and len(ds.pseudo) == 5
    # index 3 is the first pseudo sample (source 1 of MultiSourceSampler)
    assert ds._get_ori_dataset_idx(3) == (1, 0)
    assert ds[3]['i'] == 0 and ds[2]['i'] == 2


def test_bad_part_names_the_argument():
    with pytest.raises(TypeError, match='`pseudo` must be a dataset'):
        HumanPseudoDataset(human=_Toy(1), pseudo=[1, 2])


def test_pseudo_part_without_metainfo_gets_the_human_classes(tmp_path):
    cv2.imwrite(str(tmp_path / 'a.png'), np.zeros((8, 8, 3), np.uint8))
    init_default_scope('mmdet')
    ds = HumanPseudoDataset(human=_Toy(2, classes=('circle', 'square')),
                            pseudo=dict(type='ImageFolderDataset',
                                        data_prefix=dict(img=str(tmp_path))))
    assert ds.pseudo.metainfo['classes'] == ('circle', 'square')
    assert len(ds.pseudo) == 1 and ds.pseudo[0]['img_path'].endswith('a.png')


def test_optional_classify_part_is_source_two():
    ds = HumanPseudoDataset(human=_Toy(3), pseudo=_Toy(5), classify=_Toy(4))
    assert ds.cumulative_sizes == [3, 8, 12]
    assert ds._get_ori_dataset_idx(8) == (2, 0)


def test_the_training_samplers_of_iteration_based_configs_never_run_out():
    """Issue #35 item 5: a student's MultiSourceSampler and the InfiniteSampler of
    every other training set yield past any epoch (mmengine restarts a finite
    loader with 'Reach the end of the dataloader' each pass)."""
    import itertools

    from mmdet.datasets.samplers import MultiSourceSampler
    from mmengine.dataset import InfiniteSampler
    from mmengine.dataset import ConcatDataset as _Concat

    class _Part(list):
        metainfo = {}

        def get_data_info(self, i):
            return {}

    parts = _Concat.__new__(_Concat)
    parts.datasets, parts.cumulative_sizes = [_Part(range(3)), _Part(range(5))], [3, 8]
    drawn = list(itertools.islice(iter(MultiSourceSampler(parts, batch_size=4,
                                                          source_ratio=[1, 1])), 400))
    assert len(drawn) == 400 and set(drawn) == set(range(8))
    assert len(list(itertools.islice(iter(InfiniteSampler(_Part(range(5)))), 400))) == 400
