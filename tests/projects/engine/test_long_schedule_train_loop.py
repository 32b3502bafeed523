"""Schedule arithmetic of LongScheduleTrainLoop for every N and batch size."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from projects.engine.runner import resolve_schedule
from tests.conftest import ROOT

SCHEDULES = (1, 2, 3, 4, 5, 6, 9)


@pytest.mark.parametrize('n', SCHEDULES)
def test_nx_schedule_at_batch_16(n):
    s = resolve_schedule(multiplier=n)
    assert s.max_iters == n * 90000
    # the LR drops at the last 60k and the last 20k iterations, whatever N is
    assert s.lr_drops == [n * 90000 - 60000, n * 90000 - 20000]
    assert (s.warmup_iters, s.val_interval, s.checkpoint_interval) == (1000, 30000, 10000)
    assert s.lr_scale == 1.0


@pytest.mark.parametrize('n', SCHEDULES)
@pytest.mark.parametrize('batch', (8, 32, 64))
def test_batch_scaling_is_linear_in_lr_and_inverse_in_iterations(n, batch):
    s = resolve_schedule(multiplier=n, batch_size=batch, scale_to_batch_size=True)
    k = 16 / batch
    assert s.max_iters == round(n * 90000 * k)
    assert s.lr_drops == [round(n * 90000 * k) - round(60000 * k),
                          round(n * 90000 * k) - round(20000 * k)]
    assert s.warmup_iters == round(1000 * k)
    assert s.lr_scale == pytest.approx(batch / 16)


def test_batch_without_scaling_keeps_recipe():
    s = resolve_schedule(multiplier=2, batch_size=64)
    assert (s.max_iters, s.lr_drops, s.lr_scale) == (180000, [120000, 160000], 1.0)


def test_explicit_total_iterations_keep_drops_from_end():
    s = resolve_schedule(max_iters=250000)
    assert s.max_iters == 250000 and s.lr_drops == [190000, 230000]


def test_shrunk_base_iters_scale_everything():
    s = resolve_schedule(multiplier=3, base_iters=40)
    # 60k and 20k of 90k -> 26.7 and 8.9 of 40
    assert s.max_iters == 120 and s.lr_drops == [120 - 27, 120 - 9]


@pytest.mark.parametrize('base,warmup', [(24, 0), (12, 0), (24 * 4, 0), (180, 2), (900, 10)])
def test_warmup_too_short_for_linear_lr_is_dropped(base, warmup):
    # mmengine's LinearLR with end=1 never leaves start_factor (the LR would
    # stay at 0.001x for the whole run), so fewer than 2 warm-up steps -> none
    assert resolve_schedule(base_iters=base).warmup_iters == warmup
    assert resolve_schedule(base_iters=base, warmup_iters=7500).warmup_iters == \
        (lambda w: w if w >= 2 else 0)(round(7500 * base / 90000))


@pytest.mark.parametrize('bad', [dict(multiplier=0), dict(base_iters=-1), dict(batch_size=0)])
def test_bad_arguments_are_named(bad):
    with pytest.raises(ValueError, match=list(bad)[0]):
        resolve_schedule(**bad)


STUDY = sorted(glob.glob(osp.join(ROOT, 'configs', 'rethink_imagenet', 'sup_*.py')))


@pytest.mark.parametrize('path', STUDY, ids=osp.basename)
def test_config_name_matches_its_schedule(path):
    cfg = Config.fromfile(path)
    t = cfg.train_cfg
    assert t.type == 'LongScheduleTrainLoop'
    s = resolve_schedule(t.multiplier, t.base_iters, t.get('max_iters'), t.drops_from_end,
                         batch_size=cfg.train_dataloader.batch_size * 8)
    m = re.search(r'8xb2-(\d+)(x|k)', osp.basename(path))
    total = int(m.group(1)) * (90000 if m.group(2) == 'x' else 1000)
    unit = t.base_iters / 90000  # drops are the last 60k/20k of a 90k 1x, scaled
    assert s.max_iters == total
    assert s.lr_drops == [total - round(60000 * unit), total - round(20000 * unit)]
    assert cfg.param_scheduler is None  # derived by the loop, never retyped
