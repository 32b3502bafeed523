"""The benchmark harness builds and steps every mode on the same detector."""
import os.path as osp
from types import SimpleNamespace

import pytest

from tools.analysis_tools import benchmark_train as bench


@pytest.mark.parametrize('mode', bench.MODES)
def test_every_mode_steps_the_same_detector(mode, demo_data, monkeypatch):
    from tests.tool_zygote import python_command
    monkeypatch.setenv('PYTHON', python_command())  # the warm interpreter: no 6 s of imports
    args = SimpleNamespace(data_dir=demo_data, batch=2, iters=1, warmup=1, amp=False)
    cfg = bench.build_cfg(mode, args, '/tmp/unused')
    detector = cfg.model if mode == 'plain' else cfg.model.detector
    assert detector.type == 'FasterRCNN' and 'mask_head' not in detector.roi_head
    assert cfg.train_dataloader.batch_size == 2
    result = bench._child(mode, args)  # a process per mode, as the harness runs it
    assert result['mode'] == mode and result['step_s'] > 0 and result['peak_mb'] > 0


def test_benchmark_augment_times_both_orders(demo_data, capsys):
    from tools.analysis_tools import benchmark_augment
    benchmark_augment.main([osp.join(demo_data, 'annotations', 'instances_train_labeled.json'),
                            osp.join(demo_data, 'images'), '--images', '4',
                            '--scale', '96', '96', '--strengths', 'S1', 'S4'])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith('| S')]
    assert [r.split('|')[1].strip() for r in rows] == ['S1', 'S4']
    for row in rows:
        first, after = (float(c) for c in row.split('|')[2:4])
        assert 0 < first < 1000 and 0 < after < 1000
