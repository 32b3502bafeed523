"""tools/misc/make_subset.py: deterministic, complete, one-line errors."""
import json
import os.path as osp

import pytest

from tests.conftest import call_tool, run_tool, shared_data


def _subset(ann, tmp_path, *args, rest=True, tool=call_tool):
    out, unl = str(tmp_path / 'sub.json'), str(tmp_path / 'rest.json')
    cmd = ['tools/misc/make_subset.py', ann, *args, '--out', out]
    if rest:
        cmd += ['--unlabeled-out', unl]
    proc = tool(cmd)
    return json.load(open(out)), (json.load(open(unl)) if rest else None), proc.stdout


def _check_subset(src, sub, rest, k):
    ids = {im['id'] for im in sub['images']}
    assert len(ids) == k
    assert sub['categories'] == src['categories']
    expected = [a for a in src['annotations'] if a['image_id'] in ids]
    assert sub['annotations'] == expected  # every annotation, crowd and masks included
    rest_ids = {im['id'] for im in rest['images']}
    assert not ids & rest_ids and len(ids | rest_ids) == len(src['images'])
    assert rest['annotations'] == []


def test_demo_subset_is_deterministic_and_complete(demo_data, tmp_path):
    ann = osp.join(demo_data, 'annotations', 'instances_train.json')
    src = json.load(open(ann))
    # the subprocess smoke test of the tool; the others call its main() in-process
    a, rest, out = _subset(ann, tmp_path, '--num-images', '10', '--seed', '3',
                           tool=lambda cmd: run_tool(cmd, fresh=True))
    b, _, _ = _subset(ann, tmp_path, '--num-images', '10', '--seed', '3')
    c, _, _ = _subset(ann, tmp_path, '--num-images', '10', '--seed', '4')
    assert a == b and a != c
    _check_subset(src, a, rest, 10)
    assert f'10 images, {len(a["annotations"])} instances' in out


def test_percent(demo_data, tmp_path):
    ann = osp.join(demo_data, 'annotations', 'instances_train.json')
    n = len(json.load(open(ann))['images'])
    sub, _, _ = _subset(ann, tmp_path, '--percent', '25', rest=False)
    assert len(sub['images']) == round(n * 0.25)


def test_rest_out_is_the_held_out_complement_with_its_annotations(demo_data, tmp_path):
    ann = osp.join(demo_data, 'annotations', 'instances_train.json')
    src = json.load(open(ann))
    held = str(tmp_path / 'held.json')
    sub, unl, _ = _subset(ann, tmp_path, '--num-images', '10', '--seed', '3', '--rest-out', held)
    held = json.load(open(held))
    assert [im['id'] for im in held['images']] == [im['id'] for im in unl['images']]
    held_ids = {im['id'] for im in held['images']}
    assert held['annotations'] == [a for a in src['annotations'] if a['image_id'] in held_ids]
    assert len(held['annotations']) + len(sub['annotations']) == len(src['annotations'])


@pytest.mark.realdata
def test_coco128_keeps_crowd_and_masks(tmp_path):
    ann = osp.join(shared_data('coco128'), 'annotations', 'instances_train2017.json')
    src = json.load(open(ann))
    sub, rest, out = _subset(ann, tmp_path, '--percent', '50', '--seed', '0')
    _check_subset(src, sub, rest, 64)
    crowd_src = sum(a['iscrowd'] for a in src['annotations'])
    crowd_sub = sum(a['iscrowd'] for a in sub['annotations'])
    assert 0 < crowd_src and crowd_sub == sum(
        a['iscrowd'] for a in src['annotations']
        if a['image_id'] in {im['id'] for im in sub['images']})
    assert all('segmentation' in a for a in sub['annotations'])
    assert '80 categories' in out


@pytest.mark.parametrize('content,msg', [
    ('{"images": [], "categories": []}', 'missing key "annotations"'),
    ('not json', 'not valid JSON'),
])
def test_bad_json_is_one_line_error(tmp_path, content, msg):
    bad = tmp_path / 'bad.json'
    bad.write_text(content)
    proc = call_tool(['tools/misc/make_subset.py', str(bad), '--num-images', '1',
                     '--out', str(tmp_path / 'o.json')], check=False)
    assert proc.returncode == 2 and msg in proc.stderr and 'Traceback' not in proc.stderr
    assert not (tmp_path / 'o.json').exists()


def test_too_many_images(demo_data, tmp_path):
    ann = osp.join(demo_data, 'annotations', 'instances_train.json')
    proc = call_tool(['tools/misc/make_subset.py', ann, '--num-images', '100000',
                     '--out', str(tmp_path / 'o.json')], check=False)
    assert proc.returncode == 2 and 'asked for 100000 images' in proc.stderr
