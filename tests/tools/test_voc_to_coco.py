"""VOC xml -> COCO json (BCCD's layout), on generated files and on BCCD itself."""
import json
import os
import os.path as osp

import pytest

from projects.utils import UserInputError
from tests.conftest import run_tool, shared_data
from tools.dataset_converters.voc_to_coco import convert

XML = """<annotation><filename>{name}.jpg</filename>
<size><width>640</width><height>480</height><depth>3</depth></size>{objects}</annotation>"""
OBJ = ('<object><name>{cls}</name><difficult>0</difficult><bndbox><xmin>{x1}</xmin>'
       '<ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>')


def _voc(root, images):
    """images: {name: [(cls, x1, y1, x2, y2), ...]}; one split 'all'."""
    for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    for name, boxes in images.items():
        objects = ''.join(OBJ.format(cls=c, x1=a, y1=b, x2=x, y2=y) for c, a, b, x, y in boxes)
        with open(osp.join(root, 'Annotations', f'{name}.xml'), 'w') as f:
            f.write(XML.format(name=name, objects=objects))
    with open(osp.join(root, 'ImageSets', 'Main', 'all.txt'), 'w') as f:
        f.write('\n'.join(images) + '\n')


def test_boxes_become_xywh_with_ids_in_class_order(tmp_path):
    voc, out = str(tmp_path / 'voc'), str(tmp_path / 'coco')
    _voc(voc, {'a': [('WBC', 10, 20, 110, 70), ('RBC', 0, 0, 5, 5)],
               'b': [('RBC', 300, 200, 300, 260)]})  # zero width: dropped
    paths = convert(voc, out, ['all'], classes=['RBC', 'WBC', 'Platelets'])
    data = json.load(open(paths['all']))
    assert [c['name'] for c in data['categories']] == ['RBC', 'WBC', 'Platelets']
    assert [i['file_name'] for i in data['images']] == ['a.jpg', 'b.jpg']
    assert data['images'][0]['width'] == 640 and data['images'][0]['height'] == 480
    wbc, rbc = data['annotations']
    assert wbc['bbox'] == [10, 20, 100, 50] and wbc['area'] == 5000 and wbc['category_id'] == 2
    assert rbc['category_id'] == 1 and len(data['annotations']) == 2
    assert osp.islink(osp.join(out, 'JPEGImages'))


def test_bad_xml_and_missing_split_are_one_line_errors(tmp_path):
    voc = str(tmp_path / 'voc')
    _voc(voc, {'a': [('RBC', 1, 1, 9, 9)]})
    with open(osp.join(voc, 'Annotations', 'a.xml'), 'w') as f:
        f.write('<annotation><size>')
    with pytest.raises(UserInputError, match='a.xml: not a readable VOC annotation'):
        convert(voc, str(tmp_path / 'out'), ['all'])
    with pytest.raises(UserInputError, match='split list not found: .*test.txt'):
        convert(voc, str(tmp_path / 'out'), ['test'])


def test_non_finite_coordinates_and_a_link_to_another_root_are_refused(tmp_path):
    """Issue #38: NaN/inf coordinates used to be written as NaN/Infinity; an out-dir made
    from another VOC root kept its JPEGImages link to the old images."""
    voc, out = str(tmp_path / 'voc'), str(tmp_path / 'coco')
    for bad in ('nan', 'inf'):
        _voc(voc, {'a': [('RBC', 1, 1, 9, 9), ('WBC', bad, 1, 9, 9)]})
        with pytest.raises(UserInputError, match=f"a.xml: object 'WBC' has a non-finite "
                           f'coordinate \\[{bad}, 1.0, 9.0, 9.0\\]'):
            convert(voc, out, ['all'])
    other = str(tmp_path / 'other')
    _voc(other, {'b': [('RBC', 1, 1, 9, 9)]})
    convert(other, out, ['all'])  # out now links other/JPEGImages
    _voc(voc, {'a': [('RBC', 1, 1, 9, 9)]})
    with pytest.raises(UserInputError, match='points at .*other/JPEGImages, not at this VOC root'):
        convert(voc, out, ['all'])
    assert json.load(open(osp.join(out, 'annotations', 'all.json')))['images'][0][
        'file_name'] == 'b.jpg'  # refused before anything was rewritten
    convert(voc, out, ['all'], force=True)
    assert osp.realpath(osp.join(out, 'JPEGImages')) == osp.realpath(osp.join(voc, 'JPEGImages'))
    convert(voc, out, ['all'])  # the right link: a rerun is fine


def test_bccd_counts(tmp_path):
    bccd = shared_data('BCCD')
    run_tool(['tools/dataset_converters/voc_to_coco.py', bccd, '--out-dir', str(tmp_path),
              '--classes', 'RBC', 'WBC', 'Platelets', '--splits', 'trainval', 'test'],
             fresh=True)
    trainval = json.load(open(tmp_path / 'annotations' / 'trainval.json'))
    test = json.load(open(tmp_path / 'annotations' / 'test.json'))
    # the data README: 292/72 images; 4,155 + 372 + 361 boxes, two of zero size
    assert len(trainval['images']) == 292 and len(test['images']) == 72
    assert len(trainval['annotations']) + len(test['annotations']) == 4155 + 372 + 361 - 2
