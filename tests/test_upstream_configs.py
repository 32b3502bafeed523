"""Registering our package changes nothing upstream: every config shipped in mmdet's
and mmseg's ``.mim/configs`` resolves exactly as it does without us (a sample in
``make test``, all of them in ``make test-slow``), and the four upstream unit-test
cases that our earlier import-time patches broke behave as upstream does."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import textwrap

import mmdet
import mmseg
import pytest

from tests.conftest import ROOT

UPSTREAM = sorted(
    p for pkg in (mmdet, mmseg)
    for p in glob.glob(osp.join(osp.dirname(pkg.__file__), '.mim', 'configs', '**', '*.py'),
                       recursive=True)
    if '/_base_/' not in p)
# the configs that resolved differently under the old patches (issue #33)
NAMED = ('yolox/yolox_tiny_8xb8-300e_coco.py', 'yolox/yolox_nano_8xb8-300e_coco.py',
         'wider_face/ssd300_8xb32-24e_widerface.py',
         'bytetrack/bytetrack_yolox_x_8xb4-amp-80e_crowdhuman-mot17halftrain_test-mot17halfval.py',
         'bytetrack/bytetrack_yolox_x_8xb4-80e_crowdhuman-mot20train_test-mot20test.py',
         'strongsort/strongsort_yolox_x_8xb4-80e_crowdhuman-mot20train_test-mot20test.py')
SAMPLE = sorted(set(UPSTREAM[::60]) | {p for p in UPSTREAM if p.endswith(NAMED)})

RESOLVE = """
    import hashlib, json, re, sys, warnings
    warnings.filterwarnings('ignore')
    sys.path.insert(0, {root!r})
    if {registered}:
        import projects.register
    from mmengine.config import Config
    out = {{}}
    for path in json.load(open({paths!r})):
        try:
            text = json.dumps(Config.fromfile(path).to_dict(), sort_keys=True, default=repr)
            text = re.sub(r' at 0x[0-9a-f]+', '', text)  # objects' addresses differ per process
            out[path] = hashlib.sha1(text.encode()).hexdigest()
        except Exception as e:  # a config that does not load must fail the same way
            out[path] = 'error: ' + type(e).__name__
    print(json.dumps(out))
"""


def _resolve(paths, registered, tmp_path):
    listing = tmp_path / f'paths{registered}.json'
    listing.write_text(json.dumps(paths))
    code = textwrap.dedent(RESOLVE.format(root=ROOT, registered=registered, paths=str(listing)))
    out = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path), capture_output=True,
                         text=True, timeout=3600, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check(paths, tmp_path):
    plain, ours = _resolve(paths, False, tmp_path), _resolve(paths, True, tmp_path)
    differ = [osp.relpath(p, osp.dirname(osp.dirname(p))) for p in paths if plain[p] != ours[p]]
    assert not differ, f'{len(differ)} upstream configs resolve differently: {differ[:5]}'
    loaded = sum(not v.startswith('error') for v in plain.values())
    assert loaded >= 0.8 * len(paths), 'most upstream configs should load'


def test_a_sample_of_upstream_configs_resolves_as_without_us(tmp_path):
    assert len(SAMPLE) >= 30 and len([p for p in SAMPLE if p.endswith(NAMED)]) == len(NAMED)
    _check(SAMPLE, tmp_path)


@pytest.mark.optin
def test_every_upstream_config_resolves_as_without_us(tmp_path):
    assert len(UPSTREAM) > 1000
    _check(UPSTREAM, tmp_path)


# --- the four upstream unit-test cases, with our package registered (conftest) ---

def test_mmcv_missing_image_raises_file_not_found(tmp_path):
    """mmcv test_transforms_loading.py::TestLoadImageFromFile::test_load_img."""
    from mmcv.transforms import LoadImageFromFile
    with pytest.raises(FileNotFoundError):
        LoadImageFromFile()(dict(img_path=str(tmp_path / 'missing.jpg')))


def test_mmengine_checkpoint_schemes_and_errors(tmp_path):
    """mmengine test_checkpoint.py::test_checkpoint_loader: each scheme resolves to
    mmengine's own loader, and a missing or empty file raises what upstream raises."""
    from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint
    expected = {'http://xx.xx/xx.pth': 'load_from_http', 'https://xx.xx/xx.pth': 'load_from_http',
                'torchvision://xx.xx/xx.pth': 'load_from_torchvision',
                'open-mmlab://xx.xx/xx.pth': 'load_from_openmmlab',
                'openmmlab://xx.xx/xx.pth': 'load_from_openmmlab',
                'ss3://xx.xx/xx.pth': 'load_from_local', ':s3://xx.xx/xx.path': 'load_from_local'}
    for name, loader in expected.items():
        found = CheckpointLoader._get_checkpoint_loader(name)
        assert found.__name__ == loader and found.__module__ == 'mmengine.runner.checkpoint'
    import torch
    with pytest.raises(FileNotFoundError):  # an OSError, as callers expect
        load_checkpoint(torch.nn.Linear(1, 1), str(tmp_path / 'missing.pth'))
    (tmp_path / 'empty.pth').write_bytes(b'')
    with pytest.raises(EOFError):
        load_checkpoint(torch.nn.Linear(1, 1), str(tmp_path / 'empty.pth'))


def test_mmengine_lazy_config_with_a_class_typed_sampler(tmp_path):
    """mmengine test_config.py::TestConfig::test_pickle: a pure-Python config whose
    sampler type is a class loads, and our switches leave it alone (and would not
    trip on the class if it declared one)."""
    from mmengine.config import Config
    from mmengine.dataset import DefaultSampler

    from projects.utils.config_switches import apply_switches, resolve_switches
    path = tmp_path / 'lazy_cfg.py'
    path.write_text('from mmengine.dataset import DefaultSampler\n'
                    'train_dataloader = dict(batch_size=2, sampler=dict(type=DefaultSampler))\n')
    cfg = Config.fromfile(str(path))
    before = cfg.to_dict()
    assert resolve_switches(cfg).to_dict() == before
    declared = Config(dict(alpha=2.0, model=dict(loss_norm=dict(type='LossNormalizer')),
                           train_dataloader=dict(batch_size=2, sampler=dict(type=DefaultSampler))))
    assert apply_switches(declared).train_dataloader.batch_size == 2


def test_mmengine_checkpoint_hook_with_a_remote_backend(tmp_path):
    """mmengine test_checkpoint_hook.py::TestCheckpointHook::test_after_val_epoch (petrel):
    a remote backend gets the final path once, nothing renames local files, with
    mmengine's hook and with ours."""
    import torch
    from mmengine.fileio import BaseStorageBackend, register_backend
    from mmengine.runner import save_checkpoint

    from projects.engine.hooks import AtomicCheckpointHook
    written = []

    class Remote(BaseStorageBackend):
        def get(self, filepath):
            raise FileNotFoundError(filepath)

        def get_text(self, filepath, encoding='utf-8'):
            raise FileNotFoundError(filepath)

        def put(self, obj, filepath):
            written.append(filepath)

    register_backend('test_remote', Remote, force=True)
    # (mmengine infers a FileClient from the prefix first: one it knows without a client)
    save_checkpoint(dict(w=torch.zeros(1)), 'https://bucket/iter_1.pth',
                    backend_args=dict(backend='test_remote'))
    assert written == ['https://bucket/iter_1.pth']
    hook = AtomicCheckpointHook(interval=1, backend_args=dict(backend='test_remote'))
    assert hook.backend_args == dict(backend='test_remote')
    assert AtomicCheckpointHook(interval=1, out_dir='s3://bucket/work').backend_args is None
    assert AtomicCheckpointHook(interval=1).backend_args == dict(backend='atomic_local')
