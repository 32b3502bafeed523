"""SourceSplitDataPreprocessor: the one human/pseudo split of every student."""
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.registry import MODELS, init_default_scope

from projects.utils.errors import UserInputError

DET = dict(type='DetDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.],
           bgr_to_rgb=False, pad_size_divisor=32)


def _batch(shapes, sources):
    inputs = [torch.full((3, h, w), float(i), dtype=torch.uint8) for i, (h, w) in
              enumerate(shapes)]
    samples = []
    for (h, w), source in zip(shapes, sources):
        sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
        if source is not None:
            sample.set_metainfo(dict(source=source))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _build():
    init_default_scope('mmdet')
    return MODELS.build(dict(type='SourceSplitDataPreprocessor', data_preprocessor=DET))


def test_each_part_is_padded_apart_in_batch_order():
    pre = _build()
    data = pre(_batch([(40, 40), (70, 40), (40, 100), (33, 33)],
                      ['human', 'human', 'pseudo', 'pseudo']), training=True)
    assert list(data['inputs']) == ['human', 'pseudo']
    # each part padded to its own largest image, rounded up to 32
    assert tuple(data['inputs']['human'].shape) == (2, 3, 96, 64)
    assert tuple(data['inputs']['pseudo'].shape) == (2, 3, 64, 128)
    assert [float(x[0, 0, 0]) for x in data['inputs']['human']] == [0.0, 1.0]
    assert [float(x[0, 0, 0]) for x in data['inputs']['pseudo']] == [2.0, 3.0]
    assert [s.batch_input_shape for s in data['data_samples']['pseudo']] == [(64, 128)] * 2


def test_evaluation_batches_pass_through_unsplit():
    data = _build()(_batch([(40, 40), (70, 40)], [None, None]), training=False)
    assert tuple(data['inputs'].shape) == (2, 3, 96, 64)


def test_a_training_sample_without_source_is_one_line():
    with pytest.raises(UserInputError, match='no `source`.*HumanPseudoDataset'):
        _build()(_batch([(40, 40)], [None]), training=True)


def test_missing_part_names_itself():
    from projects.models.source_split_data_preprocessor import check_sources
    with pytest.raises(UserInputError, match=r'NoisyStudentDetector: no "pseudo" sample'):
        check_sources({'human': 1}, ('human', 'pseudo'), 'NoisyStudentDetector')
