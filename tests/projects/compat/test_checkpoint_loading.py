"""A code-running pickle runs through no scheme our configs use: local files,
http(s) (a local server), torchvision://, open-mmlab://, offline-imagenet://, through
the loader, our runner's load_from and SafePretrained, even with mmengine's own loaders
forced to weights_only=False (as mmengine 0.11 does); the control shows that
mmengine's loader does run it."""
import functools
import http.server
import os
import os.path as osp
import threading

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

import projects.models.imagenet_mobilenet_v2 as offline
from projects.compat.checkpoint_loading import load_checkpoint_safely
from projects.models import SafePretrained
from projects.utils.errors import CheckpointError

TORCHVISION_FILE = 'resnet50-0676ba61.pth'  # mmengine's torchvision://resnet50
OPENMMLAB_FILE = 'resnet50_msra-5891d200.pth'  # mmengine's open-mmlab://detectron2/resnet50_caffe


class Payload:
    """Unpickling it would create the file ``path``."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """An evil checkpoint, the hub cache holding it under the scheme names, and
    the file its code would create."""
    marker = str(tmp_path / 'CODE_RAN')
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={'w': torch.zeros(1)}, hook=Payload(marker)), path)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    cache = tmp_path / 'torch' / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    for name in (TORCHVISION_FILE, OPENMMLAB_FILE, 'served.pth'):
        (cache / name).write_bytes(open(path, 'rb').read())
    return path, marker


@pytest.fixture
def server(tmp_path):
    """A local http server over tmp_path/www, holding the evil file as served.pth."""
    www = tmp_path / 'www'
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield www, f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()


def _names(evil_path, server):
    www, url = server
    (www / 'fresh.pth').write_bytes(open(evil_path, 'rb').read())
    return [evil_path,                            # a local path
            f'{url}/fresh.pth',                   # http, downloaded now
            f'{url}/served.pth',                  # http, already in the hub cache
            'torchvision://resnet50', 'open-mmlab://detectron2/resnet50_caffe']


@pytest.fixture
def mmengine_unsafe(monkeypatch):
    """mmengine 0.11's loaders: torch.hub and the local loader with weights_only=False."""
    hub_load = torch.hub.load_state_dict_from_url
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', functools.partial(
        hub_load, weights_only=False))
    import mmengine.runner.checkpoint as ckpt
    monkeypatch.setattr(ckpt, 'load_url', functools.partial(hub_load, weights_only=False))


@pytest.mark.parametrize('forced', [False, True], ids=['mmengine-0.10', 'weights_only-False'])
def test_no_scheme_runs_the_pickle(evil, server, request, forced):
    if forced:
        request.getfixturevalue('mmengine_unsafe')
    path, marker = evil
    for name in _names(path, server):
        with pytest.raises(CheckpointError) as e:
            load_checkpoint_safely(name)
        assert 'refused for safety, nothing in it was run' in str(e.value), name
        assert '\n' not in str(e.value)
        with pytest.raises(CheckpointError):
            SafePretrained(checkpoint=name)(torch.nn.Linear(1, 1))
        assert not osp.exists(marker), name


def test_offline_imagenet_is_read_safely(evil, monkeypatch):
    path, marker = evil
    monkeypatch.setattr(offline, 'weights_path', lambda name: path)
    with pytest.raises(CheckpointError, match='refused for safety'):
        load_checkpoint_safely('offline-imagenet://mobilenet_v2')
    assert not osp.exists(marker)


def test_the_runner_loads_from_open_mmlab_safely(evil, tmp_path):
    from mmengine.model import BaseModel

    from projects.engine.runner import RethinkRunner

    class Tiny(BaseModel):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, *args, **kwargs):
            return {}
    _, marker = evil
    runner = RethinkRunner(model=Tiny(), work_dir=str(tmp_path / 'work'),
                           load_from='open-mmlab://detectron2/resnet50_caffe')
    with pytest.raises(CheckpointError, match='refused for safety'):
        runner.load_or_resume()
    assert not osp.exists(marker)


def test_control_mmengine_own_loader_runs_it(evil, mmengine_unsafe):
    """What the safe path avoids: mmengine's open-mmlab:// loader unpickles the cached
    file with weights_only=False, and the payload runs (it only creates a file)."""
    _, marker = evil
    _load_checkpoint('open-mmlab://detectron2/resnet50_caffe', map_location='cpu')
    assert osp.exists(marker)
    os.remove(marker)


def test_a_good_checkpoint_loads_from_every_scheme(tmp_path, server, monkeypatch):
    from mmengine.logging import HistoryBuffer
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    loss = HistoryBuffer()
    loss.update(0.5)
    good = dict(state_dict={'weight': torch.ones(1, 1), 'bias': torch.zeros(1)},
                message_hub=dict(log_scalars={'loss': loss}))
    www, url = server
    torch.save(good, www / 'good.pth')
    cache = tmp_path / 'torch' / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    torch.save(good, cache / TORCHVISION_FILE)
    for name in (str(www / 'good.pth'), f'{url}/good.pth', 'torchvision://resnet50'):
        model = torch.nn.Linear(1, 1)
        SafePretrained(checkpoint=name)(model)
        assert model.weight.item() == 1.0, name
    assert osp.isfile(cache / 'good.pth')  # downloaded into the hub cache


def test_unknown_names_are_one_line(tmp_path):
    with pytest.raises(CheckpointError, match='no such torchvision model'):
        load_checkpoint_safely('torchvision://resnet5000')
    with pytest.raises(CheckpointError, match='no such OpenMMLab model'):
        load_checkpoint_safely('open-mmlab://nothing')
    with pytest.raises(CheckpointError, match='unsupported checkpoint scheme'):
        load_checkpoint_safely('s3://bucket/x.pth')
    with pytest.raises(CheckpointError, match='cannot download http://127.0.0.1:9/x.pth'):
        load_checkpoint_safely('http://127.0.0.1:9/x.pth')


def test_the_matched_share_counts_values_and_maps_wrapper_prefixes():
    from torch import nn

    from projects.compat.checkpoint_loading import check_matched_share

    class Student(nn.Module):
        def __init__(self):
            super().__init__()
            self.student = nn.Sequential(nn.Linear(10, 10), nn.Linear(10, 2))  # 110 + 22 values

    model = Student()
    plain = {f'module.{k[len("student."):]}': v for k, v in model.state_dict().items()}
    check_matched_share(model, dict(state_dict=plain), 'plain.pth')  # 100%, prefix mapped
    head = {k: v for k, v in plain.items() if k.startswith('module.1.')}  # 22 of 132 values
    with pytest.raises(CheckpointError, match=r"head.pth: fills 17% of the model's weights "
                       r"\(first missing: 'student.0.weight', first unexpected: None\)"):
        check_matched_share(model, dict(state_dict=head), 'head.pth')
    wrong = dict(plain, **{'module.0.weight': torch.zeros(3, 3)})  # a shape that differs
    with pytest.raises(CheckpointError, match=r"fills 24% .*first unexpected: '0.weight'"):
        check_matched_share(model, dict(state_dict=wrong), 'w.pth')
    check_matched_share(model, dict(state_dict=head), 'head.pth', min_share=0.1)
