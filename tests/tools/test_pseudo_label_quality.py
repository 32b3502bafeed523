"""pseudo_label_quality.py on a pseudo file made from ground truth with known
perturbations: every count, precision, recall and empty share is known."""
import json
import os
import os.path as osp

import pytest

from projects.utils.errors import UserInputError
from tools.lib.pseudo_quality import pseudo_label_quality, quality_markdown
from tests.conftest import call_tool


def _perturbed(gt):
    """Per class, GT boxes 0, 3, 6 ... missed, 1, 4 ... at score 0.9, 2, 5 ... at 0.4;
    one false positive of the first class at 0.6 in every image; ids renumbered."""
    images = [dict(im, id=1000 + im['id']) for im in gt['images']]
    anns, expect, seen = [], {}, {}
    first = gt['categories'][0]['id']
    for a in gt['annotations']:
        k = seen.get(a['category_id'], 0)
        seen[a['category_id']] = k + 1
        e = expect.setdefault(a['category_id'], dict(gt=0, hi=0, lo=0))
        e['gt'] += 1
        if k % 3 == 0:
            continue
        score = 0.9 if k % 3 == 1 else 0.4
        e['hi' if score == 0.9 else 'lo'] += 1
        anns.append(dict(id=len(anns) + 1, image_id=1000 + a['image_id'], bbox=a['bbox'],
                         category_id=a['category_id'], score=score))
    for im in gt['images']:
        anns.append(dict(id=len(anns) + 1, image_id=1000 + im['id'], bbox=[0, 0, 2, 2],
                         category_id=first, score=0.6))
    hi_images = {a['image_id'] for a in anns if a['score'] == 0.9}
    return dict(images=images, annotations=anns, categories=gt['categories']), expect, \
        len(hi_images), first


@pytest.fixture(scope='module')
def files(demo_data, tmp_path_factory):
    gt_path = osp.join(demo_data, 'annotations', 'instances_val.json')
    gt = json.load(open(gt_path))
    pseudo, expect, n_hi, first = _perturbed(gt)
    path = tmp_path_factory.mktemp('pq') / 'pseudo.json'
    path.write_text(json.dumps(pseudo))
    return str(path), gt_path, gt, pseudo, expect, n_hi, first


def test_every_number_is_the_constructed_one(files):
    _, _, gt, pseudo, expect, n_hi, first = files
    n_img = len(gt['images'])
    report = pseudo_label_quality(pseudo, gt, [0.3, 0.5, 0.7, 0.95])
    assert report['images'] == n_img
    names = {c['id']: c['name'] for c in gt['categories']}
    rows = {r['thr']: r for r in report['rows']}
    for cat, e in expect.items():
        fp = n_img if cat == first else 0
        c3, c5, c7 = (rows[t]['classes'][names[cat]] for t in (0.3, 0.5, 0.7))
        assert (c3['gt'], c3['kept'], c3['tp']) == (e['gt'], e['hi'] + e['lo'] + fp,
                                                   e['hi'] + e['lo'])
        assert (c5['kept'], c5['tp']) == (e['hi'] + fp, e['hi'])
        assert c5['precision'] == pytest.approx(e['hi'] / (e['hi'] + fp))
        assert c5['recall'] == pytest.approx(e['hi'] / e['gt'])
        assert (c7['kept'], c7['tp'], c7['precision']) == (e['hi'], e['hi'], 1.0)
        assert rows[0.95]['classes'][names[cat]]['precision'] is None
    assert rows[0.5]['empty'] == 0.0  # every image has its false positive
    assert rows[0.7]['empty'] == pytest.approx(1 - n_hi / n_img)
    assert rows[0.95]['empty'] == 1.0 and rows[0.95]['ap'] == 0.0
    assert 0 < rows[0.7]['ap'] < 1  # perfect boxes, a third to two thirds missing


def test_size_bias_is_the_constructed_scale():
    """Pseudo boxes 1.3x (linear) the ground truth about its centre, one class;
    a second class's boxes exact; a third class has no pseudo box at all."""
    cats = [dict(id=1, name='big'), dict(id=2, name='exact'), dict(id=3, name='none')]
    gt_boxes = [(10, 10, 40, 20), (100, 50, 20, 20), (60, 120, 16, 30)]
    gt = dict(images=[dict(id=1, file_name='a.jpg', width=300, height=300)], categories=cats,
              annotations=[dict(id=i + 1, image_id=1, category_id=c, bbox=list(b),
                                area=b[2] * b[3], iscrowd=0)
                           for i, (b, c) in enumerate([(b, c) for c in (1, 2, 3)
                                                       for b in gt_boxes])])

    def scaled(b, f):
        x, y, w, h = b
        return [x + w / 2 - f * w / 2, y + h / 2 - f * h / 2, f * w, f * h]

    pseudo = dict(images=gt['images'], categories=cats, annotations=[
        dict(id=i + 1, image_id=1, category_id=c, bbox=scaled(b, f), score=0.9)
        for i, (b, c, f) in enumerate([(b, c, f) for c, f in ((1, 1.3), (2, 1.0))
                                       for b in gt_boxes])])
    row = pseudo_label_quality(pseudo, gt, [0.5])['rows'][0]['classes']
    assert row['big']['size'] == pytest.approx(1.3)
    assert row['big']['tp'] == 3  # IoU 1/1.69 = 0.59: still matched
    assert row['exact']['size'] == pytest.approx(1.0) and row['none']['size'] is None
    table = quality_markdown(dict(rows=[dict(thr=0.5, ap=0.5, empty=0.0, classes=row)],
                                  classes=['big', 'exact', 'none']))
    assert '| 0.5 | big | 3 | 3 | 1.000 | 1.000 |' in table and table.count('| 1.300 |') == 1


def test_tool_writes_report_figure_and_shown_images(files, demo_data, tmp_path):
    pseudo_path, gt_path = files[0], files[1]
    out = tmp_path / 'out'
    proc = call_tool(['tools/analysis_tools/pseudo_label_quality.py', pseudo_path, gt_path,
                      '--out-dir', str(out), '--show', '2',
                      '--img-dir', osp.join(demo_data, 'images')])
    assert '| 0.5 | circle |' in proc.stdout and 'images without a box' in proc.stdout
    assert {'quality.json', 'quality.md', 'precision_recall.png', 'show'} <= set(os.listdir(out))
    assert len(os.listdir(out / 'show')) == 2
    assert json.load(open(out / 'quality.json'))['rows'][0]['thr'] == 0.3


def test_labels_not_held_back_and_bad_files_fail_in_one_line(files, tmp_path):
    _, gt_path, gt, pseudo, *_ = files
    stranger = dict(pseudo, images=pseudo['images'] + [dict(id=1, file_name='x.jpg',
                                                             width=9, height=9)])
    with pytest.raises(UserInputError, match='not in the ground truth'):
        pseudo_label_quality(stranger, gt, [0.5])
    bad = tmp_path / 'bad.json'
    bad.write_text('{')
    proc = call_tool(['tools/analysis_tools/pseudo_label_quality.py', str(bad), gt_path],
                     check=False)
    assert proc.returncode == 2 and 'is not valid JSON' in proc.stderr


def test_auto_thresholds_on_known_score_distributions():
    """Class a: true boxes score 0.6-0.9, false ones 0.1-0.45: precision 1 first at
    0.5. Class b: a false box at 0.8 above every true one: 1.0 is never reached."""
    from tools.lib.pseudo_quality import choose_thresholds
    images = [dict(id=i, file_name=f'{i}.jpg', width=100, height=100) for i in range(1, 5)]
    cats = [dict(id=1, name='a'), dict(id=2, name='b')]
    gt_anns, dets = [], []
    for i in range(1, 5):
        for k, cat in enumerate((1, 2)):
            box = [10 + 40 * k, 10, 30, 30]
            gt_anns.append(dict(id=len(gt_anns) + 1, image_id=i, category_id=cat, bbox=box,
                                area=900, iscrowd=0))
            score = (0.6 + 0.1 * (i - 1)) if cat == 1 else 0.3 + 0.05 * i
            dets.append(dict(image_id=i, category_id=cat, bbox=box, score=score))
        dets.append(dict(image_id=i, category_id=1, bbox=[0, 70, 20, 20],
                         score=0.1 * i + 0.05))  # 0.15 ... 0.45
        dets.append(dict(image_id=i, category_id=2, bbox=[70, 70, 20, 20], score=0.8))
    gt = dict(images=images, annotations=gt_anns, categories=cats)
    pseudo = dict(images=images, annotations=[dict(d, id=j + 1) for j, d in enumerate(dets)],
                  categories=cats)
    chosen = choose_thresholds(pseudo, gt, target_precision=1.0)
    assert chosen['a']['thr'] == pytest.approx(0.5) and chosen['a']['reached']
    assert chosen['a']['recall'] == 1.0
    assert not chosen['b']['reached'] and chosen['b']['thr'] == pytest.approx(0.95)
    relaxed = choose_thresholds(pseudo, gt, target_precision=0.5)
    assert relaxed['b']['thr'] == pytest.approx(0.05) and relaxed['b']['precision'] == 0.5


def test_scoring_silences_only_pycocotools(files, capsys):
    """pycocotools' progress prints are dropped; a print from another thread
    meanwhile (run_study --jobs: the other worker's log line) is not."""
    import threading

    from pycocotools import cocoeval

    import tools.lib.pseudo_quality as pq
    _, _, gt, pseudo, _, _, _ = files
    pseudo_label_quality(pseudo, gt, [0.5])
    assert capsys.readouterr().out == ''
    with pq._quiet_pycocotools():
        cocoeval.print('from pycocotools')
        worker = threading.Thread(target=print, args=('other worker',))
        worker.start()
        worker.join()
    assert capsys.readouterr().out == 'other worker\n'
    assert 'print' not in vars(cocoeval)  # the builtin is back afterwards
