"""One rule for unreadable images, in training and in labelling."""
import os.path as osp

import pytest
from mmengine.config import Config

from projects.utils.errors import UserInputError
from projects.utils.unreadable_images import (DEFAULT_MAX_BAD_IMAGES, bad_image_limit,
                                              parse_max_bad_images)
from tests.conftest import ROOT


def test_the_limit_by_the_numbers():
    assert [bad_image_limit(0.01, n) for n in (99, 100, 364)] == [0, 1, 3]
    assert bad_image_limit(5, 10) == 5 and bad_image_limit(0, 10**6) == 0
    assert parse_max_bad_images('0.05') == 0.05 and parse_max_bad_images('3') == 3
    for bad in ('1.5', '-1', 'many', '1e3'):
        with pytest.raises(UserInputError, match='--max-bad-images must be a fraction'):
            parse_max_bad_images(bad)


def test_labelling_and_training_share_the_default():
    for runtime in ('default_runtime.py', 'seg_runtime.py'):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', runtime))
        assert cfg.max_bad_images == DEFAULT_MAX_BAD_IMAGES
