"""A bad-input corpus, generated here: every case ends in a one-line error
naming the file or key, or in a listed skip; never in a traceback or a
silently wrong result. docs/robustness.md lists the cases."""
import json
import os
import os.path as osp
import re

import cv2
import mmcv
import numpy as np
import pytest
from PIL import Image

from tests.conftest import (DEMO_CONFIG, SHORT, call_tool, demo_cfg_options, logged_scalars,
                            run_tool)

NST = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py'


def _one_line_error(proc, *fragments):
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    for f in fragments:
        assert f in last, last
    return last


@pytest.fixture(scope='module')
def odd_images(tmp_path_factory, demo_data):
    """A folder of every kind of awkward image file."""
    d = tmp_path_factory.mktemp('odd')
    src = sorted(os.listdir(osp.join(demo_data, 'unlabeled')))[0]
    rgb = cv2.imread(osp.join(demo_data, 'unlabeled', src))
    (d / 'zero.jpg').write_bytes(b'')
    (d / 'text.png').write_text('not an image')
    source = open(osp.join(demo_data, 'unlabeled', src), 'rb').read()
    (d / 'truncated.jpg').write_bytes(source[:300])
    cv2.imwrite(str(d / 'gray.png'), cv2.cvtColor(rgb, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(d / 'rgba.png'), cv2.cvtColor(rgb, cv2.COLOR_BGR2BGRA))
    Image.fromarray(rgb[..., ::-1]).convert('CMYK').save(d / 'cmyk.jpg')
    cv2.imwrite(str(d / 'deep16.png'), (rgb.astype(np.uint16) * 257))
    img = Image.fromarray(rgb[:60, :, ::-1])  # 128 x 60, shown rotated by 90 degrees
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(d / 'exif_rotated.jpg', exif=exif.tobytes())
    cv2.imwrite(str(d / 'wide.png'), cv2.resize(rgb, (1024, 8)))
    cv2.imwrite(str(d / 'tall.png'), cv2.resize(rgb, (8, 1024)))
    return str(d)


def test_image_folder_corpus_is_labelled_or_listed(trained, odd_images, tmp_path):
    out = str(tmp_path / 'p.json')
    args = ['tools/pseudo_label.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'),
            '--img-dir', odd_images, '--out', out, '--score-thr', '0.05', '--num-workers', '0']
    # issue #38: more unreadable files than training's 1% stop in one line (no silently
    # empty run); the parts stay, so a rerun with a higher limit finishes them
    _one_line_error(call_tool(args, check=False), 'images unreadable, more than '
                    '--max-bad-images allows (0); first: ', '--restart')
    assert not osp.exists(out)
    proc = run_tool(args + ['--max-bad-images', '5'])
    data = json.load(open(out))
    skipped = {s['file_name'] for s in data['info']['skipped']}
    assert {'zero.jpg', 'text.png'} <= skipped
    for name in skipped:
        assert f'skipped {name}' in proc.stdout
    labelled = {im['file_name']: im for im in data['images']}
    for name in ('gray.png', 'rgba.png', 'cmyk.jpg', 'deep16.png', 'exif_rotated.jpg',
                 'wide.png', 'tall.png'):
        assert name in labelled, name
        # the recorded size is what the training loader will decode
        h, w = mmcv.imread(osp.join(odd_images, name)).shape[:2]
        assert (labelled[name]['width'], labelled[name]['height']) == (w, h), name
    # stored 60 rows high, EXIF orientation 6: decoded (and recorded) 60 wide
    rotated = labelled['exif_rotated.jpg']
    assert rotated['width'] == 60 and rotated['height'] > 60
    assert set(labelled) | skipped == set(os.listdir(odd_images))


def _labelled_json(demo_data, tmp_path, edit):
    data = json.load(open(osp.join(demo_data, 'annotations', 'instances_train_labeled.json')))
    edit(data)
    path = str(tmp_path / 'ann.json')
    json.dump(data, open(path, 'w'))
    return path


def _train(demo_data, tmp_path, ann, check=True, config=DEMO_CONFIG, extra=(), tool=run_tool):
    opts = demo_cfg_options(demo_data, **dict(SHORT, **{'train_cfg.base_iters': 2}))
    if config == DEMO_CONFIG:
        opts.append(f'train_dataloader.dataset.ann_file={ann}')
    return tool(['tools/train.py', config, '--work-dir', str(tmp_path / 'w'),
                 '--cfg-options'] + opts + list(extra), check=check)


def test_degenerate_boxes_are_skipped(demo_data, tmp_path):
    def edit(data):
        first = data['annotations'][0]
        bad = [[10, 10, 0, 5], [10, 10, -4, 5], [500, 500, 20, 20], [-50, -50, 10, 10]]
        for i, box in enumerate(bad):
            data['annotations'].append(dict(first, id=10 ** 6 + i, bbox=box, area=1))
    ann = _labelled_json(demo_data, tmp_path, edit)
    _train(demo_data, tmp_path, ann)
    assert osp.isfile(tmp_path / 'w' / 'iter_2.pth')
    losses = [r['loss'] for r in logged_scalars(tmp_path / 'w') if 'loss' in r]
    assert len(losses) == 2 and all(0 < v < float('inf') for v in losses)
    # mmdet's parsing dropped exactly the four degenerate boxes of the first image
    from mmdet.datasets import CocoDataset
    data = json.load(open(ann))
    first = data['annotations'][0]['image_id']
    ds = CocoDataset(ann_file=ann, data_prefix=dict(img=f'{demo_data}/images/'),
                     metainfo=dict(classes=tuple(c['name'] for c in data['categories'])))
    [info] = [d for d in ds.load_data_list() if d['img_id'] == first]
    kept = [i['bbox'] for i in info['instances']]
    assert len(kept) == sum(a['image_id'] == first for a in data['annotations']) - 4
    assert all(x2 - x1 >= 1 and y2 - y1 >= 1 for x1, y1, x2, y2 in kept)


@pytest.mark.parametrize('case,fragment', [
    ('no_annotations', 'missing key "annotations"'),
    ('no_category_id', 'has no "category_id"'),
    ('unknown_category', 'category_id 99, which is not in "categories"'),
    ('other_classes', 'none of its categories'),
    # issue #38: these trained, exit 0, on silently wrong labels
    ('duplicate_image_id', 'repeats the id'),
    ('duplicate_category_name', "categories[1] repeats the name 'circle' of categories[0]"),
    ('image_without_file_name', 'images[2] has no "file_name"'),
    ('image_without_height', 'images[0] has no "height"'),
    ('bbox_of_three_numbers', "annotations[3] has bbox [1, 2, 3], which is not 4 numbers"),
    ('no_box_left', '0 images left after dropping images without boxes'),
])
def test_bad_annotation_files_are_one_line(demo_data, tmp_path, case, fragment):
    def edit(data):
        if case == 'no_annotations':
            del data['annotations']
        elif case == 'no_category_id':
            del data['annotations'][3]['category_id']
        elif case == 'unknown_category':
            data['annotations'][3]['category_id'] = 99
        elif case == 'duplicate_image_id':
            data['images'][1]['id'] = data['images'][0]['id']
        elif case == 'duplicate_category_name':
            data['categories'][1]['name'] = data['categories'][0]['name']
        elif case == 'image_without_file_name':
            del data['images'][2]['file_name']
        elif case == 'image_without_height':
            del data['images'][0]['height']
        elif case == 'bbox_of_three_numbers':
            data['annotations'][3]['bbox'] = [1, 2, 3]
        elif case == 'no_box_left':
            data['annotations'] = []
        else:  # a teacher with another class list
            for c in data['categories']:
                c['name'] = 'other_' + c['name']
    ann = _labelled_json(demo_data, tmp_path, edit)
    _one_line_error(_train(demo_data, tmp_path, ann, check=False, tool=call_tool), ann, fragment)


def test_pseudo_file_with_no_box_trains_on_negatives(demo_data, tmp_path):
    def edit(data):
        data['annotations'] = []
    pseudo = _labelled_json(demo_data, tmp_path, edit)
    opts = [f'train_dataloader.dataset.human.data_root={demo_data}/',
            f'train_dataloader.dataset.pseudo.ann_file={pseudo}',
            f'train_dataloader.dataset.pseudo.data_prefix.img={demo_data}/images/',
            'train_dataloader.batch_size=4', 'train_dataloader.sampler.batch_size=4']
    opts += [o for o in demo_cfg_options(demo_data) if not o.startswith('train_dataloader')]
    run_tool(['tools/train.py', NST, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
              'train_cfg.base_iters=2', 'train_cfg.multiplier=1', 'train_cfg.val_interval=90000',
              'default_hooks.logger.interval=1'] + opts)
    assert osp.isfile(tmp_path / 'w' / 'iter_2.pth')
    # the pseudo half trained as negatives: a classification loss and no box loss
    steps = [r for r in logged_scalars(tmp_path / 'w') if 'unsup_loss_cls' in r]
    assert len(steps) == 2
    assert all(r['unsup_loss_cls'] > 0 and r['unsup_loss_bbox'] == 0 for r in steps)
    assert all(r['sup_loss_bbox'] > 0 for r in steps)  # the human half has boxes


def test_checkpoint_of_another_architecture_is_one_line(demo_data, tmp_path):
    seg_ckpt = tmp_path / 'seg.pth'
    import torch
    torch.save(dict(state_dict={'backbone.stem.0.weight': torch.zeros(1)}, meta={}), seg_ckpt)
    for tool in ('tools/test.py', 'tools/pseudo_label.py'):
        args = [tool, DEMO_CONFIG, str(seg_ckpt)] + \
            (['--img-dir', osp.join(demo_data, 'unlabeled'), '--out', str(tmp_path / 'p.json')]
             if 'pseudo' in tool else ['--cfg-options'] + demo_cfg_options(demo_data))
        _one_line_error(call_tool(args, check=False), str(seg_ckpt), 'another architecture')


def test_missing_checkpoint_and_empty_folder_are_one_line(trained, tmp_path):
    empty = tmp_path / 'empty'
    empty.mkdir()
    ckpt = osp.join(trained, 'iter_24.pth')
    _one_line_error(call_tool(['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--img-dir',
                               str(empty), '--out', str(tmp_path / 'p.json')], check=False),
                    str(empty))
    _one_line_error(call_tool(['tools/test.py', DEMO_CONFIG, str(tmp_path / 'nope.pth')],
                              check=False), 'checkpoint not found')


def _bad_checkpoints(trained, d):
    """Every kind of unusable checkpoint, next to a good one."""
    import torch
    good = open(osp.join(trained, 'iter_24.pth'), 'rb').read()
    (d / 'random.pth').write_bytes(bytes(range(7, 247)) * 20)
    (d / 'truncated.pth').write_bytes(good[:len(good) // 3])
    torch.save(dict(state_dict={'conv.weight': torch.zeros(1)}), d / 'other_arch.pth')

    class Evil:
        def __reduce__(self):
            return (os.system, (f'touch {d}/EVIL_RAN',))
    torch.save(dict(state_dict={}, hook=Evil()), d / 'evil.pth')
    return dict(random=('is not a checkpoint (no torch archive or pickle header) (4800 bytes)',),
                truncated=('is a truncated or damaged checkpoint archive',
                           f'({len(good) // 3 / 2**20:.1f} MB)'),
                other_arch=('does not fit the model of', 'missing backbone.'),
                evil=('holds objects outside the safe-load allow-list (first: posix.system); '
                      'refused for safety',))


CKPT_CASES = ('random', 'truncated', 'other_arch', 'evil')


@pytest.mark.parametrize('case', CKPT_CASES)
def test_bad_checkpoints_are_named_by_test_py(trained, demo_data, tmp_path, case):
    from projects.utils.errors import UserInputError
    from tools.test import main as test_main
    expected = _bad_checkpoints(trained, tmp_path)[case]
    path = str(tmp_path / f'{case}.pth')
    with pytest.raises(UserInputError) as e:
        test_main([DEMO_CONFIG, path, '--work-dir', str(tmp_path / 'w'), '--cfg-options'] +
                  demo_cfg_options(demo_data))
    msg = str(e.value)
    assert msg.startswith(path) and '\n' not in msg and 'weights_only' not in msg
    for fragment in expected:
        assert fragment in msg, msg
    assert not (tmp_path / 'EVIL_RAN').exists()


def test_bad_checkpoints_are_one_line_in_every_loading_tool(trained, demo_data, tmp_path):
    """train.py load_from and pseudo_label.py, as a user runs them."""
    _bad_checkpoints(trained, tmp_path)
    bad = str(tmp_path / 'truncated.pth')
    train = call_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w'),
                       '--cfg-options'] + demo_cfg_options(demo_data, **SHORT) +
                      [f'load_from={bad}'], check=False)
    _one_line_error(train, bad, 'truncated or damaged checkpoint archive')
    label = call_tool(['tools/pseudo_label.py', DEMO_CONFIG, str(tmp_path / 'evil.pth'),
                       '--img-dir', osp.join(demo_data, 'unlabeled'), '--out',
                       str(tmp_path / 'p.json')], check=False)
    _one_line_error(label, 'outside the safe-load allow-list', 'refused for safety')
    assert not (tmp_path / 'EVIL_RAN').exists() and not (tmp_path / 'p.json').exists()


@pytest.fixture(scope='module')
def unreadable_demo(tmp_path_factory, demo_data):
    """The demo data with 3 of 38 training images and 1 of 10 validation images
    truncated to 200 bytes (as a half-copied file on a cluster file system)."""
    import shutil
    data = str(tmp_path_factory.mktemp('unreadable') / 'data')
    shutil.copytree(demo_data, data)
    ann = {s: json.load(open(f'{data}/annotations/instances_{s}.json')) for s in ('train', 'val')}
    bad = [im['file_name'] for im in ann['train']['images'][:3]] + \
        [ann['val']['images'][0]['file_name']]
    for name in bad:
        path = osp.join(data, 'images', name)
        head = open(path, 'rb').read(200)
        open(path, 'wb').write(head)
    return data, bad


# a one-value switch (issue #38: it used to need the hook's list index)
UNREADABLE_HOOK = 'max_bad_images'


def test_unreadable_images_are_skipped_and_counted(unreadable_demo, tmp_path):
    data, bad = unreadable_demo
    work = str(tmp_path / 'w')
    opts = dict(SHORT, **{'train_cfg.base_iters': 8, 'train_cfg.val_interval': 90000,
                          UNREADABLE_HOOK: 0.1})  # 3 of 38 tolerated
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', work, '--cfg-options']
                    + demo_cfg_options(data, **opts))
    log = proc.stdout + proc.stderr
    curve = json.load(open(osp.join(work, 'curve.json')))
    skipped = curve['unreadable_images']['train']
    assert 1 <= skipped <= 3
    named = {n for n in bad[:3] if f'skipped unreadable image {osp.join(data, "images", n)}' in log}
    assert len(named) == skipped
    [val] = curve['val']
    # 8 iterations may find nothing yet: mmdet's CocoMetric then reports no AP
    assert val['unreadable_images'] == 1 and ('coco/bbox_mAP' in val or val['empty'])
    assert f'val: 1 of 10 images unreadable, left out of the metric: ' \
           f'{osp.join(data, "images", bad[3])}' in log
    records = [json.loads(line) for line in open(osp.join(work, 'unreadable_images.jsonl'))]
    assert {r['phase'] for r in records} == {'train', 'eval'}


def test_too_many_unreadable_images_stop_in_one_line(unreadable_demo, tmp_path):
    data, bad = unreadable_demo
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path), '--cfg-options']
                    + demo_cfg_options(data, **dict(SHORT, **{UNREADABLE_HOOK: 0})), check=False)
    last = _one_line_error(proc, 'unreadable training image', ', more than max_bad_images '
                           'allows (0 of 38); first: ', 'check_dataset.py')
    assert any(osp.join(data, 'images', n) in last for n in bad[:3])
    assert not os.path.exists(osp.join(tmp_path, 'iter_24.pth'))


def test_test_py_leaves_unreadable_images_out_of_the_metric(trained, unreadable_demo, tmp_path):
    data, bad = unreadable_demo
    args = ['tools/test.py', DEMO_CONFIG, osp.join(trained, 'iter_24.pth'),
            '--work-dir', str(tmp_path), '--cfg-options'] + demo_cfg_options(data)
    proc = run_tool(args + [f'{UNREADABLE_HOOK}=0.1'])  # 1 of 10 tolerated
    log = proc.stdout + proc.stderr
    assert 'test: 1 of 10 images unreadable, left out of the metric' in log
    assert re.search(r'coco/bbox_mAP: [\d.]+ .*unreadable_images: 1', log)
    # the default 1% of 10 images tolerates none: the metric is logged, then one line
    proc = run_tool(args, check=False)
    assert re.search(r'coco/bbox_mAP: [\d.]+ .*unreadable_images: 1', proc.stdout + proc.stderr)
    _one_line_error(proc, '1 unreadable test image, more than max_bad_images allows (0 of 10)',
                    osp.join(data, 'images', bad[3]))


def test_no_output_replaces_an_input(demo_data, tmp_path):
    """Issue #38: each of these used to exit 0 and destroy the input; now one line,
    exit 2, before any work, and the input is unchanged."""
    ann = str(tmp_path / 'human.json')
    ckpt = str(tmp_path / 'teacher.pth')
    open(ann, 'w').write(open(f'{demo_data}/annotations/instances_train.json').read())
    open(ckpt, 'wb').write(b'not read: refused before loading')
    before = {p: open(p, 'rb').read() for p in (ann, ckpt)}
    cases = [
        (['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--ann-file', ann, '--img-prefix',
          f'{demo_data}/images', '--out', ann], f'--out {ann} would overwrite an input'),
        (['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--img-dir', f'{demo_data}/unlabeled',
          '--out', ckpt], f'--out {ckpt} would overwrite an input'),
        (['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--img-dir', f'{demo_data}/unlabeled',
          '--out', str(tmp_path)], 'is an existing folder'),
        (['tools/pseudo_label.py', DEMO_CONFIG, ckpt, '--img-dir', f'{demo_data}/unlabeled',
          '--out', f'{ann}/p.json'], f'{ann} is a file, not a folder'),
        (['tools/misc/make_subset.py', ann, '--percent', '20', '--out', str(tmp_path / 'l.json'),
          '--unlabeled-out', ann], f'--unlabeled-out {ann} would overwrite an input'),
        (['tools/misc/make_subset.py', ann, '--percent', '20', '--out', str(tmp_path / 'l.json'),
          '--rest-out', str(tmp_path / 'l.json')], '--out and --rest-out are the same file'),
        (['tools/model_converters/ssl_to_mmdet.py', ckpt, ckpt],
         f'OUT {ckpt} would overwrite an input'),
        (['tools/pseudo_mask.py', DEMO_CONFIG, ckpt, '--img-dir', f'{demo_data}/unlabeled',
          '--out-dir', f'{demo_data}/unlabeled/masks'], 'would overwrite an input'),
        (['tools/dataset_converters/voc_to_coco.py', str(tmp_path), '--out-dir', str(tmp_path)],
         'is the VOC root itself'),
    ]
    for args, fragment in cases:
        _one_line_error(call_tool(args, check=False), fragment)
    assert {p: open(p, 'rb').read() for p in (ann, ckpt)} == before
    assert not osp.exists(f'{demo_data}/unlabeled/masks')


def test_a_checkpoint_with_non_finite_weights_is_one_line(trained, demo_data, tmp_path):
    """Issue #38 item 5: test.py, pseudo_label.py and load_from refuse NaN weights
    (they used to exit 0 with empty results, or label every image a negative)."""
    import torch

    from projects.compat import load_checkpoint_safely
    ckpt = load_checkpoint_safely(osp.join(trained, 'iter_24.pth'))
    key = next(k for k, v in ckpt['state_dict'].items() if v.is_floating_point())
    ckpt['state_dict'][key] = torch.full_like(ckpt['state_dict'][key], float('nan'))
    bad = str(tmp_path / 'nan.pth')
    torch.save(ckpt, bad)
    fragment = f'{bad} holds non-finite weights (first: {key}'
    _one_line_error(call_tool(['tools/test.py', DEMO_CONFIG, bad, '--work-dir',
                               str(tmp_path / 't'), '--cfg-options'] + demo_cfg_options(demo_data),
                              check=False), fragment)
    _one_line_error(call_tool(['tools/pseudo_label.py', DEMO_CONFIG, bad, '--img-dir',
                               f'{demo_data}/unlabeled', '--out', str(tmp_path / 'p.json')],
                              check=False), fragment)
    _one_line_error(call_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w'),
                               '--cfg-options', f'load_from={bad}']
                              + demo_cfg_options(demo_data, **SHORT), check=False), fragment)
    assert not osp.exists(tmp_path / 'p.json')


def test_a_load_from_that_fills_under_half_the_model_is_one_line(trained, demo_data, tmp_path):
    """Issue #38 item 5: a checkpoint that matches a few of the model's weights
    (here only the head's) used to load silently; load_from_partial=True still loads it."""
    import torch

    from projects.compat import load_checkpoint_safely
    ckpt = load_checkpoint_safely(osp.join(trained, 'iter_24.pth'))
    ckpt['state_dict'] = {k: v for k, v in ckpt['state_dict'].items()
                          if k.startswith('bbox_head.')}
    part = str(tmp_path / 'head_only.pth')
    torch.save(ckpt, part)
    train = ['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
             f'load_from={part}'] + \
        demo_cfg_options(demo_data, **dict(SHORT, **{'train_cfg.base_iters': 2}))
    proc = call_tool(train, check=False)
    _one_line_error(proc, f"{part}: fills ", "of the model's weights (first missing: "
                    "'backbone.", 'load_from_partial=True')
    assert call_tool(train + ['load_from_partial=True']).returncode == 0
    assert osp.isfile(tmp_path / 'w' / 'iter_2.pth')


def test_non_finite_box_coordinates_are_dropped_and_counted(demo_data, tmp_path):
    """mmdet's parsing drops a NaN/Inf box; the pre-flight check counts them in a warning."""
    def edit(data):
        data['annotations'][0]['bbox'] = [float('nan'), 10, 20, 20]
        data['annotations'][1]['bbox'] = [10, 10, float('inf'), 20]
    ann = _labelled_json(demo_data, tmp_path, edit)
    proc = _train(demo_data, tmp_path, ann)  # a process of its own: the logger's streams
    assert f'{ann}: 2 annotations with a NaN/Inf box coordinate are dropped' in \
        proc.stdout + proc.stderr


def test_a_resume_never_mixes_two_runs(trained, demo_data, tmp_path):
    """Issue #38 item 2: parts a killed run left are taken only by the same run."""
    import shutil

    from projects.apis.offline_label_run import OfflineLabelRun
    from tools import pseudo_label
    ckpt = osp.join(trained, 'iter_24.pth')
    folder_a, folder_b = tmp_path / 'a', tmp_path / 'b'
    names = sorted(os.listdir(f'{demo_data}/unlabeled'))
    assert len(names) >= 9
    for folder, part in ((folder_a, names[:4]), (folder_b, names[4:8])):
        folder.mkdir()
        for n in part:
            shutil.copy(f'{demo_data}/unlabeled/{n}', folder / n)
    out = str(tmp_path / 'p.json')

    def killed_after_3(folder, checkpoint=ckpt):
        args = pseudo_label.parse_args([DEMO_CONFIG, checkpoint, '--img-dir', str(folder),
                                        '--out', out])
        images, _, prefix = pseudo_label.read_images(args)
        run = OfflineLabelRun(out, restart=True)
        run.claim(pseudo_label.fingerprint(args, images, prefix))
        run.label(({'image': im, 'anns': []} for im in run.share(images)[:3]), total=3)

    def label(folder, *extra, checkpoint=ckpt):
        return call_tool(['tools/pseudo_label.py', DEMO_CONFIG, checkpoint, '--img-dir',
                          str(folder), '--out', out, '--num-workers', '0', *extra], check=False)
    killed_after_3(folder_a)
    _one_line_error(label(folder_b), f'{out}.parts holds the work of another run (changed: '
                    'images)', '--restart')
    shutil.copy(f'{demo_data}/unlabeled/{names[-1]}', folder_a / '0000_first.jpg')
    _one_line_error(label(folder_a), 'changed: images')  # an image that sorts first
    other = str(tmp_path / 'other.pth')
    shutil.copy(ckpt, other)
    os.utime(other, (1, 1))
    killed_after_3(folder_b)
    _one_line_error(label(folder_b, checkpoint=other), 'changed: checkpoint')
    _one_line_error(label(folder_b, '--score-thr', '0.3'), 'changed: score_thr')
    assert label(folder_b, '--restart').returncode == 0  # afresh: B's images, once each
    data = json.load(open(out))
    assert sorted(im['file_name'] for im in data['images']) == sorted(os.listdir(folder_b))


def test_config_mistakes_are_one_line(demo_data, tmp_path):
    """Issue #38 item 9: a typo'd key names the component and the key; a syntax error
    names the file and the line; RETHINK_DEBUG=1 shows the traceback instead."""
    args = ['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
            'train_cfg.base_iter=3'] + demo_cfg_options(demo_data)
    _one_line_error(call_tool(args, check=False),
                    "error: config: LongScheduleTrainLoop has no argument 'base_iter' "
                    '(a typo in the config or in --cfg-options?)')
    broken = tmp_path / 'broken.py'
    broken.write_text(f'_base_ = {osp.abspath(DEMO_CONFIG)!r}\nmodel = dict(\n')
    _one_line_error(call_tool(['tools/train.py', str(broken)], check=False),
                    f'error: {broken} (or a config it inherits): syntax error at line 2: ')
    proc = run_tool(['tools/train.py', str(broken)], env={'RETHINK_DEBUG': '1'}, check=False)
    assert proc.returncode == 1 and 'Traceback' in proc.stderr


def test_command_line_mistakes_are_one_line(demo_data, tmp_path):
    """Issue #38 item 9: a --cfg-options item without '=', --launcher pytorch without
    torch's launcher, and a work dir that cannot be made each end in one line."""
    base = ['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w')]
    proc = call_tool(base + ['--cfg-options', 'foo'], check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith(  # argparse's 'PROG: error: ...'
        "error: --cfg-options: 'foo' is not KEY=VALUE (e.g. train_cfg.multiplier=2)")
    _one_line_error(run_tool(base + ['--launcher', 'pytorch', '--cfg-options'] +
                             demo_cfg_options(demo_data), check=False),
                    'error: --launcher pytorch needs the variables its launcher sets '
                    '(RANK is not set): start it with tools/dist_train.sh CONFIG GPUS')
    a_file = tmp_path / 'a_file'
    a_file.write_text('')
    _one_line_error(call_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(a_file / 'w'),
                               '--cfg-options'] + demo_cfg_options(demo_data), check=False),
                    f'error: {a_file / "w"}: Not a directory')
