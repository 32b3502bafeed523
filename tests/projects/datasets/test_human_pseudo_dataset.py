"""HumanPseudoDataset: named parts, source order, one-line errors."""
import pytest
from mmengine.dataset import BaseDataset

from projects.datasets import HumanPseudoDataset


class _Toy(BaseDataset):

    def __init__(self, n):
        self.n = n
        super().__init__(serialize_data=False)

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
