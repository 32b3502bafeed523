"""mmengine checkpoints load under weights_only=True; arbitrary objects do not."""
import os
import pickle

import pytest
import torch

import projects.register  # noqa: F401  (applies the allow-list)
from projects.compat.torch_load import MMENGINE_SAFE_GLOBALS


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /dev/null',))


def _mmengine_like_checkpoint():
    import numpy as np
    from mmengine.logging import HistoryBuffer, MessageHub
    hub = MessageHub.get_instance('test_torch_load')
    buf = HistoryBuffer()
    buf.update(1.5)
    buf.update(np.float64(2.5))
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('eta', np.float64(3.0))
    return dict(meta=dict(seed=1, dataset_meta=dict(classes=('a', 'b'))),
                state_dict={'w': torch.ones(2)},
                message_hub=hub.state_dict(),
                extra=dict(buffer=buf, arr=np.arange(4, dtype=np.int64),
                           f32=np.ones(3, np.float32)))


def test_allow_list_is_installed():
    assert MMENGINE_SAFE_GLOBALS, 'projects import did not install the allow-list'


def test_mmengine_checkpoint_loads_weights_only(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = torch.load(path, weights_only=True)
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert ckpt['extra']['buffer'].mean() == pytest.approx(2.0)
    assert ckpt['extra']['arr'].tolist() == [0, 1, 2, 3]
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 0.25


def test_arbitrary_object_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': _Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match='posix.system|os.system|system'):
        torch.load(path, weights_only=True)


def test_getattr_only_resolves_history_buffer_statistics(tmp_path):
    import builtins

    from mmengine.logging import HistoryBuffer

    class _Sneaky:
        def __reduce__(self):  # getattr is allowed only for the statistics
            return (builtins.getattr, (HistoryBuffer, '__init__'))
    path = str(tmp_path / 'sneaky.pth')
    torch.save({'x': _Sneaky()}, path)
    with pytest.raises(pickle.UnpicklingError, match='not on the allow-list'):
        torch.load(path, weights_only=True)
