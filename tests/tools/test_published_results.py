"""tools/lib/published_results.py: a study's readings re-generated from the
**Every run** table of its published block, and only the readings rewritten."""
import pytest
from mmengine.config import ConfigDict

from projects.utils import UserInputError
from tests.conftest import run_tool
from tools.lib.published_results import publish_readings, published_results
from tools.lib.study_report import publish_blocks, render_readings, render_results

APS = {('sup', 0): 0.301, ('sup', 1): 0.312, ('sup', 2): 0.296,
       ('stu', 0): 0.352, ('stu', 1): 0.341, ('stu', 2): 0.338}


def _study(metric='coco/bbox_mAP'):
    return ConfigDict(
        runs=[dict(name='sup', config='x.py', factors=dict(init='in1k', method='supervised')),
              dict(name='stu', config='x.py', teacher='sup',
                   unlabeled=dict(img_dir='pool'), factors=dict(init='in1k', method='student'))],
        tables=[dict(rows='init', cols='method', metric=metric)],
        readings=[dict(table=0, row='in1k', a='student', b='supervised', headline=True)])


def _results(empty_seed=None):
    return [dict(name=n, seed=s, factors=dict(_study().runs[0 if n == 'sup' else 1].factors),
                 final={'coco/bbox_mAP': ap, 'coco/bbox_mAP_50': ap + 0.2,
                        **({'empty': True} if (n, s) == empty_seed else {})}, minutes=1.5)
            for (n, s), ap in APS.items()]


def _published(tmp_path, study, results):
    doc = tmp_path / 'doc.md'
    doc.write_text('# R\n<!-- run_study:s begin -->\n<!-- run_study:s end -->\n\n'
                   '<!-- run_study:s:readings begin -->\n<!-- run_study:s:readings end -->\n')
    report = render_results(study, 's', results, [], str(tmp_path), 'cmd', 'here')
    publish_blocks(str(doc), 's', report, render_readings(study, results, headline=True))
    return doc


def test_the_every_run_table_reads_back_as_published(tmp_path):
    study, results = _study(), _results(empty_seed=('stu', 2))
    doc = _published(tmp_path, study, results)
    back = published_results(str(doc), 's', study)
    assert [(r['name'], r['seed']) for r in back] == [(r['name'], r['seed']) for r in results]
    for r, b in zip(results, back):
        for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50'):  # x100 to one decimal: within 0.05
            assert b['final'][key] == pytest.approx(r['final'][key], abs=0.0005)
        assert b['factors'] == r['factors'] and b['minutes'] == 1.5
        assert b['final'].get('empty') == r['final'].get('empty')
    assert back[0]['final']['coco/bbox_mAP'] == pytest.approx(0.301)  # '30.1', not rescaled twice


def test_only_the_readings_are_rewritten(tmp_path):
    study, results = _study(), _results()
    doc = _published(tmp_path, study, results)
    before = doc.read_text()
    assert 'student vs supervised: 34.4 vs 30.3, difference +4.1' in before
    # a newer rule (here: reading the gap the other way) re-generated from the page
    study.readings[0].update(a='supervised', b='student')
    back = published_results(str(doc), 's', study)
    full, headline = render_readings(study, back), render_readings(study, back, True)
    assert publish_readings(str(doc), 's', full, headline) == 2
    after = doc.read_text()
    assert after.count('supervised vs student: 30.3 vs 34.4, difference -4.1') == 2
    assert 'student vs supervised' not in after
    old_rest = [line for line in before.splitlines() if not line.startswith('- ')]
    new_rest = [line for line in after.splitlines() if not line.startswith('- ')]
    assert new_rest == old_rest  # tables, every-run rows and markers as they were


def test_a_page_the_study_no_longer_matches_is_one_line(tmp_path):
    doc = _published(tmp_path, _study(), _results())
    with pytest.raises(UserInputError, match=r'doc.md: the "Every run" table of run_study:s '
                                             r'has the columns'):
        published_results(str(doc), 's', _study(metric='coco/RBC_precision'))
    with pytest.raises(UserInputError, match=r'doc.md: no "<!-- run_study:other begin -->"'):
        published_results(str(doc), 'other', _study())
    text = doc.read_text()
    doc.write_text(text.replace('| 30.1 |', '| 30,1 |'))
    with pytest.raises(UserInputError, match=r'doc.md: an "Every run" row of run_study:s holds a '
                                             r'value that is not a number: .*30,1'):
        published_results(str(doc), 's', _study())
    doc.write_text(text.replace('| 30.1 |', '| 30.1 | 9 |'))
    with pytest.raises(UserInputError, match=r'row of run_study:s has 7 cells, not 6'):
        published_results(str(doc), 's', _study())
    doc.write_text('<!-- run_study:s begin -->\nno table\n<!-- run_study:s end -->\n')
    with pytest.raises(UserInputError, match='block has no "\\*\\*Every run\\*\\*'):
        published_results(str(doc), 's', _study())


def test_report_only_falls_back_to_the_page(tmp_path):
    """No run folder, no study_results record: `--report-only --publish`
    re-generates the readings from the page and says so."""
    study, results = _study(), _results()
    doc = _published(tmp_path, study, results)
    text = doc.read_text().replace('difference +4.1', 'difference +9.9')  # an older reading
    doc.write_text(text)
    config = tmp_path / 's.py'
    config.write_text(f'runs = {[dict(r) for r in study.runs]!r}\n'
                      f'tables = {[dict(t) for t in study.tables]!r}\n'
                      f'readings = {[dict(r) for r in study.readings]!r}\nseeds = [0, 1, 2]\n')
    proc = run_tool(['tools/run_study.py', str(config), '--work-dir', str(tmp_path / 'gone'),
                     '--report-only', '--publish', str(doc)])
    assert f'6 results from the "Every run" table of {doc}' in proc.stdout
    assert 'rewriting the readings only' in proc.stdout
    assert doc.read_text() == text.replace('difference +9.9', 'difference +4.1')
