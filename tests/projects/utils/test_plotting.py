"""Study figures: one line per table row, labels that stay readable."""
import pytest

from projects.utils import plotting


@pytest.fixture
def captured(monkeypatch):
    figures = []
    monkeypatch.setattr(plotting, 'save_figure', lambda fig, out: figures.append(fig))
    return figures


def _ticks(fig):
    ax = fig.axes[0]
    return [(t.get_text(), t.get_rotation()) for t in ax.get_xticklabels()]


def test_factor_lines_draw_each_row_at_its_columns(captured):
    lines = {'scratch': [('1x', 4.8, 0.0), ('2x', 31.9, 0.4)], 'in1k': [('2x', 37.9, 0.3)]}
    plotting.plot_factor_lines(lines, 'unused.png', 'schedule', 'AP')
    ax = captured[0].axes[0]
    data = [(list(c.lines[0].get_xdata()), list(c.lines[0].get_ydata())) for c in ax.containers]
    assert data == [([0, 1], [4.8, 31.9]), ([1], [37.9])]  # in1k has no 1x: drawn at 2x only
    assert _ticks(captured[0]) == [('1x', 0.0), ('2x', 0.0)]  # short labels stay level


def test_long_column_labels_are_slanted_so_they_do_not_overlap(captured):
    methods = ['supervised S1', 'student S1', 'supervised S4', 'student S4', 'student S1 thr0.3']
    plotting.plot_factor_lines({'in1k': [(m, 0.1, 0.0) for m in methods]}, 'unused.png',
                               'method', 'AP')
    assert [text for text, _ in _ticks(captured[0])] == methods
    assert {angle for _, angle in _ticks(captured[0])} == {25.0}


def test_factor_lines_show_each_seed_beside_the_mean(captured):
    lines = {'in1k': [('S1', 38.0, 1.0), ('S4', 30.0, 0.0)]}
    seeds = {'in1k': {'S1': [37.0, 38.0, 39.0], 'S4': [30.0]}}  # one seed: no dots
    plotting.plot_factor_lines(lines, 'unused.png', 'method', 'AP', seeds=seeds)
    dots = [line for line in captured[0].axes[0].lines if line.get_linestyle() == 'None'
            and line.get_marker() == '.']
    assert [list(d.get_ydata()) for d in dots] == [[37.0, 38.0, 39.0]]
    assert list(dots[0].get_xdata()) == pytest.approx([0.08] * 3)


def test_learning_curves_draw_a_run_that_never_detected_anything_at_zero(captured):
    teacher = dict(val=[{'iter': 10, 'coco/bbox_mAP': 0.2}], train=[])
    student = dict(val=[{'iter': 10, 'empty': True}, {'iter': 20, 'empty': True}], train=[])
    used = plotting.plot_learning_curves([('T', teacher), ('S', student)], 'unused.png',
                                         'coco/bbox_mAP')
    assert used == 'coco/bbox_mAP'
    lines = {line.get_label(): list(line.get_ydata()) for line in captured[0].axes[0].lines}
    assert lines == {'T': [0.2], 'S': [0.0, 0.0]}
