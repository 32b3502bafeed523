"""UnreadableImageHook: logs and counts skipped images, stops above the limit."""
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

import projects.register  # noqa: F401
from projects.engine.hooks import UnreadableImageHook
from projects.evaluation import UnreadableImageEvaluator
from projects.utils import unreadable_images as record_mod
from projects.utils.errors import UserInputError


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv(record_mod.ENV, str(tmp_path / 'r.jsonl'))


def _runner(n_train=300, n_val=50, it=0):
    from mmengine.evaluator import Evaluator
    loader = lambda n: SimpleNamespace(dataset=list(range(n)))  # noqa: E731
    val, test = loader(n_val), loader(n_val)
    return SimpleNamespace(iter=it, train_dataloader=loader(n_train),
                           val_dataloader=val, test_dataloader=test,
                           val_loop=SimpleNamespace(dataloader=val, evaluator=Evaluator([])),
                           test_loop=SimpleNamespace(dataloader=test, evaluator=Evaluator([])),
                           message_hub=MessageHub.get_instance(f'unreadable{n_train}{it}'))


@pytest.mark.parametrize('bad', [-1, 1.0, 1.5, True, '1%', None])
def test_constructor_names_the_argument(bad):
    with pytest.raises(ValueError, match='max_bad_images'):
        UnreadableImageHook(max_bad_images=bad)


@pytest.mark.parametrize('setting, size, limit', [(0.01, 364, 3), (0.01, 99, 0), (0.1, 48, 4),
                                                  (5, 10, 5), (0, 1000, 0)])
def test_limit_is_a_fraction_of_the_set_or_a_count(setting, size, limit):
    assert UnreadableImageHook(setting).limit(size) == limit


def test_training_counts_each_file_once_and_stops_above_the_limit(log):
    hook, runner = UnreadableImageHook(0.01), _runner(n_train=300)  # limit 3
    record_mod.record('/d/old.jpg', 'cannot be decoded', 'train')  # an earlier run's
    hook.before_train(runner)
    for name in ('a', 'b', 'a', 'c'):  # 'a' drawn twice: one file
        record_mod.record(f'/d/{name}.jpg', 'cannot be decoded', 'train')
    record_mod.record('/d/v.jpg', 'cannot be decoded', 'eval')  # not a training image
    hook.after_train_iter(runner, 0)
    assert runner.message_hub.get_info('unreadable_images/train') == 3
    record_mod.record('/d/d.jpg', 'not found', 'train')
    with pytest.raises(UserInputError) as err:
        hook.after_train_iter(runner, 1)
    msg = str(err.value)
    assert '\n' not in msg and msg.startswith('4 unreadable training images')
    assert '(3 of 300)' in msg and '/d/a.jpg (cannot be decoded), /d/b.jpg' in msg
    assert '/d/d.jpg' not in msg  # the first three only
    assert 'check_dataset.py' in msg


def test_a_resumed_run_counts_the_records_before_it(log):
    record_mod.record('/d/a.jpg', 'cannot be decoded', 'train')
    hook, runner = UnreadableImageHook(5), _runner(it=10)
    hook.before_train(runner)
    hook.after_train_iter(runner, 0)
    assert runner.message_hub.get_info('unreadable_images/train') == 1


def test_evaluation_adds_the_count_next_to_the_metric(log):
    hook, runner = UnreadableImageHook(0.1), _runner(n_val=50)  # limit 5
    record_mod.record('/d/v0.jpg', 'cannot be decoded', 'eval')  # an earlier evaluation
    hook.before_val_epoch(runner)
    record_mod.record('/d/v1.jpg', 'cannot be decoded', 'eval')
    record_mod.record('/d/v2.jpg', 'not found', 'eval')
    metrics = {'coco/bbox_mAP': 0.5}
    hook.after_val_epoch(runner, metrics)
    assert metrics == {'coco/bbox_mAP': 0.5, 'unreadable_images': 2}
    assert runner.message_hub.get_scalar('val/unreadable_images').current() == 2
    assert isinstance(runner.val_loop.evaluator, UnreadableImageEvaluator)  # put under it
    hook.before_test_epoch(runner)  # nothing new: no key
    metrics = {'coco/bbox_mAP': 0.5}
    hook.after_test_epoch(runner, metrics)
    assert metrics == {'coco/bbox_mAP': 0.5}


def test_evaluation_above_the_limit_stops(log):
    hook, runner = UnreadableImageHook(1), _runner(n_val=50)
    hook.before_test_epoch(runner)
    for i in range(2):
        record_mod.record(f'/d/t{i}.jpg', 'cannot be decoded', 'eval')
    metrics = {}
    hook.after_test_epoch(runner, metrics)  # the metrics are logged first
    assert metrics == {'unreadable_images': 2}
    with pytest.raises(UserInputError, match=r'^2 unreadable test images.*\(1 of 50\)'):
        hook.after_test(runner)
    hook.after_test(runner)  # raised once
