"""A config means the same experiment however it is loaded and run: the one-value
switches reach what is built through plain ``Config.fromfile`` + ``Runner.from_cfg``,
``RUNNERS.build`` (``runner_type``) and mmdet's own packaged ``tools/train.py``, and the
config dumped into the work dir shows the values that ran."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import textwrap

import mmdet
import pytest

from tests.conftest import ROOT

STUDENT = 'configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb16-600i-s1_demo-lab50.py'
# the config named in issue #33
BCCD_STUDENT = 'configs/bccd/nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb16-1x-s1_bccd-lab50.py'


def _child(tmp_path, line, base=STUDENT):
    path = tmp_path / 'child.py'
    path.write_text(f'_base_ = {osp.join(ROOT, base)!r}\n{line}\n')
    return str(path)


def _pseudo_file(data, tmp_path):
    """A pseudo-label file over the demo's unlabeled/ images (no boxes)."""
    names = sorted(os.listdir(f'{data}/unlabeled'))
    meta = json.load(open(f'{data}/annotations/instances_train.json'))
    out = tmp_path / 'pseudo.json'
    out.write_text(json.dumps(dict(
        images=[dict(id=i + 1, file_name=n, width=96, height=96) for i, n in enumerate(names)],
        annotations=[], categories=meta['categories'])))
    return str(out)


def _data_options(data, pseudo):
    """What a user sets to point the demo student at their data."""
    return {'train_dataloader.dataset.human.data_root': f'{data}/',
            'train_dataloader.dataset.pseudo.data_root': f'{data}/',
            'train_dataloader.dataset.pseudo.ann_file': pseudo,
            'val_dataloader.dataset.data_root': f'{data}/',
            'test_dataloader.dataset.data_root': f'{data}/',
            'val_evaluator.ann_file': f'{data}/annotations/instances_val.json',
            'test_evaluator.ann_file': f'{data}/annotations/instances_val.json'}


def _fresh_python(code: str) -> dict:
    """Run ``code`` in a new interpreter (nothing of ours imported); its last line as JSON."""
    out = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _bccd_like_options(data, tmp_path):
    """The BCCD student's data options over demo images labelled with BCCD's classes
    (the real set is not needed to see which pipelines get built)."""
    names = sorted(os.listdir(f'{data}/images'))[:8]
    cats = [dict(id=i + 1, name=n) for i, n in enumerate(('RBC', 'WBC', 'Platelets'))]
    images = [dict(id=i + 1, file_name=n, width=96, height=96) for i, n in enumerate(names)]
    human = dict(images=images, categories=cats, annotations=[
        dict(id=i + 1, image_id=i + 1, category_id=i % 3 + 1, bbox=[10, 10, 30, 30], area=900,
             iscrowd=0) for i in range(len(images))])
    (tmp_path / 'human.json').write_text(json.dumps(human))
    (tmp_path / 'pseudo.json').write_text(json.dumps(dict(human, annotations=[])))
    return {f'train_dataloader.dataset.{part}.{key}': value
            for part in ('human', 'pseudo')
            for key, value in (('data_root', f'{data}/'), ('data_prefix.img', 'images/'),
                               ('ann_file', str(tmp_path / f'{part}.json')))}


FIRST_LOAD = """
    import json, sys
    sys.path.insert(0, {root!r})
    from mmengine.config import Config
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    assert not any(m.startswith('projects') for m in sys.modules)
    cfg = Config.fromfile({child!r})  # the first load in this process
    cfg.merge_from_dict({options!r})
    cfg.work_dir = {work!r}
    runner = {build}(cfg)
    dataset = runner.train_loop.dataloader.dataset  # builds the training data
    built = [t.strength for part in (dataset.human, dataset.pseudo)
             for t in part.pipeline.transforms if type(t).__name__ == 'StrengthAugment']
    dumped = Config.fromfile({work!r} + '/child.py')
    steps = [p[2]['strength'] for p in (dumped.train_dataloader.dataset.human.pipeline,
                                       dumped.train_dataloader.dataset.pseudo.pipeline)]
    print(json.dumps(dict(runner=type(runner).__name__, built=built, dumped=steps,
                          record=dumped.applied_switches['strength'])))
"""


@pytest.mark.parametrize('base', [BCCD_STUDENT, STUDENT], ids=['bccd', 'demo'])
@pytest.mark.parametrize('build', ['Runner.from_cfg', 'RUNNERS.build'])
def test_first_load_of_a_one_line_child_builds_its_strength(tmp_path, demo_data, build, base):
    child = _child(tmp_path, "strength = 'S3'", base)
    options = (_bccd_like_options(demo_data, tmp_path) if base == BCCD_STUDENT else
               _data_options(demo_data, _pseudo_file(demo_data, tmp_path)))
    found = _fresh_python(FIRST_LOAD.format(root=ROOT, child=child, options=options,
                                            work=str(tmp_path / 'work'), build=build))
    assert found == dict(runner='Runner' if build == 'Runner.from_cfg' else 'RethinkRunner',
                         built=['S3', 'S3'], dumped=['S3', 'S3'], record='S3')


MODEL_SWITCH = """
    import json, sys
    sys.path.insert(0, {root!r})
    from mmengine.config import Config
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    cfg = Config.fromfile({child!r})
    cfg.merge_from_dict({options!r})
    cfg.work_dir = {work!r}
    runner = RUNNERS.build(cfg)
    alpha = runner.model.loss_norm.alpha
    try:
        Runner.from_cfg(cfg).train_loop
        plain = 'built'
    except Exception as e:
        plain = type(e).__name__ + ': ' + str(e)
    print(json.dumps(dict(alpha=alpha, plain=plain)))
"""


def test_a_model_switch_reaches_the_model_or_is_one_line(tmp_path, demo_data):
    child = _child(tmp_path, 'alpha = 3.0')
    options = _data_options(demo_data, _pseudo_file(demo_data, tmp_path))
    found = _fresh_python(MODEL_SWITCH.format(root=ROOT, child=child, options=options,
                                              work=str(tmp_path / 'work')))
    assert found['alpha'] == 3.0  # RUNNERS.build (runner_type): the model has it
    # plain Runner.from_cfg built the model before any of our code ran: said, not ignored
    assert found['plain'].startswith('UserInputError: the config sets a switch of the model')
    assert 'RUNNERS.build(cfg)' in found['plain']


def test_mmdet_packaged_train_py_trains_the_child(tmp_path, demo_data):
    """mmdet's own tools/train.py (from the installed package's .mim) for 2 iterations."""
    train_py = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools', 'train.py')
    assert osp.isfile(train_py)
    child = _child(tmp_path, "strength = 'S3'")
    work = tmp_path / 'work'
    options = dict(_data_options(demo_data, _pseudo_file(demo_data, tmp_path)),
                   **{'train_cfg.max_iters': 2, 'train_cfg.val_interval': 90000,
                      'train_dataloader.sampler.batch_size': 4, 'train_dataloader.num_workers': 0,
                      'train_dataloader.persistent_workers': False})
    args = [f'{k}={v}' for k, v in options.items()]
    out = subprocess.run([sys.executable, train_py, child, '--work-dir', str(work),
                          '--cfg-options', *args], cwd=str(tmp_path), capture_output=True,
                         text=True, timeout=900,
                         env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    assert glob.glob(str(work / 'iter_2.pth'))
    from mmengine.config import Config
    dumped = Config.fromfile(str(work / 'child.py'))
    ds = dumped.train_dataloader.dataset
    assert [ds.human.pipeline[2]['strength'], ds.pseudo.pipeline[2]['strength']] == ['S3', 'S3']
    assert dumped.train_dataloader.batch_size == 4 == dumped.train_dataloader.sampler.batch_size
    assert dumped.applied_switches['strength'] == 'S3' and dumped.runner_type == 'RethinkRunner'
    # mmdet's packaged tools/test.py on that checkpoint: our runner, its safe loader
    test_py = osp.join(osp.dirname(train_py), 'test.py')
    out = subprocess.run([sys.executable, test_py, child, str(work / 'iter_2.pth'), '--work-dir',
                          str(tmp_path / 'test'), '--cfg-options', *args], cwd=str(tmp_path),
                         capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'Iter(test) [2/2]' in out.stdout + out.stderr  # (2 iterations find no box: no AP)
    assert f'Load checkpoint from {work / "iter_2.pth"}' in out.stdout + out.stderr
