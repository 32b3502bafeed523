"""Reading curve.json and run logs: empty validations and resumed runs."""
import json
import os
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

from projects.engine.hooks.learning_curve_hook import LearningCurveHook
from projects.utils.curves import (fill_empty_records, final_metrics, final_train_scalars,
                                   load_curve, metric_keys, train_minutes)


def _val_runner(work_dir, it, skipped=None):
    hub = MessageHub.get_instance(f'curves-{work_dir}-{it}')
    if skipped:
        hub.update_info('unreadable_images/train', skipped)
    return SimpleNamespace(rank=0, iter=it, work_dir=str(work_dir), message_hub=hub)


def test_hook_keeps_a_validation_that_detected_nothing(tmp_path):
    hook = LearningCurveHook(plot_file=None)
    hook.after_val_epoch(_val_runner(tmp_path, 100), {'coco/bbox_mAP': 0.25, 'coco/segm_mAP': 0.5})
    hook.after_val_epoch(_val_runner(tmp_path, 200), {})  # CocoMetric with no detections
    raw = json.load(open(tmp_path / 'curve.json'))
    assert raw['val'][1] == {'iter': 200, 'empty': True}
    curve = load_curve(str(tmp_path))
    assert curve['val'][1] == {'iter': 200, 'empty': True, 'coco/bbox_mAP': 0.0,
                               'coco/segm_mAP': 0.0}
    assert final_metrics(raw)['iter'] == 200  # not the last record that had numbers
    assert final_metrics(raw)['coco/bbox_mAP'] == 0.0


def test_fill_empty_records_leaves_measured_records_alone():
    val = [{'iter': 1, 'empty': True}, {'iter': 2, 'm': 0.3}, {'iter': 3, 'm': 0.1, 'n': 0.2}]
    filled = fill_empty_records(val)
    assert filled[0] == {'iter': 1, 'empty': True, 'm': 0.0, 'n': 0.0}
    assert filled[1:] == val[1:]
    assert metric_keys(filled[0]) == ['m', 'n']
    assert fill_empty_records([{'iter': 5, 'empty': True}]) == [{'iter': 5, 'empty': True}]


def test_expected_keys_fill_a_curve_whose_every_validation_detected_nothing():
    raw = {'val': [{'iter': 100, 'empty': True}, {'iter': 200, 'empty': True}]}
    assert final_metrics(raw) == {'iter': 200, 'empty': True}  # nothing to name
    assert final_metrics(raw, ['a', 'b']) == {'iter': 200, 'empty': True, 'a': 0.0, 'b': 0.0}
    measured = [{'iter': 1, 'a': 0.3}]
    assert fill_empty_records(measured, ['a', 'b']) == measured  # measured records untouched


def _log(work_dir, stamp, lines):
    d = osp.join(work_dir, stamp)
    os.makedirs(d)
    with open(osp.join(d, stamp + '.log'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def test_train_minutes_adds_the_processes_of_a_resumed_run(tmp_path):
    _log(tmp_path, '20261123_012121', [
        '2026/11/23 01:21:21 - mmengine - INFO - start',
        'a line without a time stamp',
        '2026/11/23 01:30:51 - mmengine - INFO - Iter(train) [200/400]'])  # killed: 9.5 min
    _log(tmp_path, '20261123_015719', [
        '2026/11/23 01:57:19 - mmengine - INFO - resumed',
        '2026/11/23 02:05:49 - mmengine - INFO - Iter(val) [8/8]'])  # 8.5 min
    assert train_minutes(str(tmp_path)) == pytest.approx(18.0)


def test_train_minutes_is_none_without_logs(tmp_path):
    assert train_minutes(str(tmp_path)) is None


def test_hook_records_the_skipped_images_and_keeps_them_out_of_the_metrics(tmp_path):
    hook = LearningCurveHook(plot_file=None)
    # UnreadableImageHook adds the count next to the metrics, and the training count
    hook.after_val_epoch(_val_runner(tmp_path, 100, skipped=3),
                         {'coco/bbox_mAP': 0.25, 'unreadable_images': 1})
    hook.after_val_epoch(_val_runner(tmp_path, 200, skipped=4), {'unreadable_images': 1})
    curve = json.load(open(osp.join(tmp_path, 'curve.json')))
    assert curve['unreadable_images'] == {'train': 4}
    assert curve['val'][1] == {'iter': 200, 'unreadable_images': 1.0, 'empty': True}
    assert metric_keys(curve['val'][0]) == ['coco/bbox_mAP']


def _train_runner(work_dir, it):
    optim = SimpleNamespace(get_lr=lambda: {'lr': [0.01]})
    return SimpleNamespace(rank=0, iter=it, work_dir=str(work_dir), optim_wrapper=optim)


def test_hook_records_the_pseudo_weight_a_student_step_logs(tmp_path):
    """A student's step logs ``pseudo_weight``: it goes beside the loss, and
    the last one is what a study reports as ``train/pseudo_weight``."""
    hook = LearningCurveHook(plot_file=None, loss_interval=1)
    hook.after_train_iter(_train_runner(tmp_path, 0), 0, outputs={'loss': 2.0})
    hook.after_train_iter(_train_runner(tmp_path, 1), 1,
                          outputs={'loss': 1.5, 'pseudo_weight': 138.0, 'L_p': 0.01})
    hook.after_train_iter(_train_runner(tmp_path, 2), 2,
                          outputs={'loss': 1.0, 'pseudo_weight': 987.5})
    assert hook.curve['train'] == [
        {'iter': 1, 'loss': 2.0, 'lr': 0.01},  # a supervised step: nothing extra
        {'iter': 2, 'loss': 1.5, 'lr': 0.01, 'pseudo_weight': 138.0},  # L_p: not a train key
        {'iter': 3, 'loss': 1.0, 'lr': 0.01, 'pseudo_weight': 987.5}]
    assert final_train_scalars(hook.curve) == {'train/pseudo_weight': 987.5}
    assert final_train_scalars({'val': [], 'train': []}) == {}
    with pytest.raises(TypeError, match='train_keys'):
        LearningCurveHook(train_keys='pseudo_weight')
