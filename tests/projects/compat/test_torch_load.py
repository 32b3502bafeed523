"""mmengine checkpoints load under weights_only=True with the allow-list scoped to
the call; arbitrary objects do not, and nothing is allowed process-wide."""
import os
import pickle

import pytest
import torch

import projects.register  # noqa: F401  (must not add anything process-wide)
from projects.compat.torch_load import torch_load_safely


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


def _mmengine_types_allowed_process_wide():
    from mmengine.logging import HistoryBuffer
    return [g for g in torch.serialization.get_safe_globals()
            if (g[0] if isinstance(g, tuple) else g) is HistoryBuffer]


def test_nothing_is_allowed_process_wide(tmp_path):
    assert _mmengine_types_allowed_process_wide() == []
    path = str(tmp_path / 'ckpt.pth')
    torch.save(_mmengine_like_checkpoint(), path)
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer|multiarray|numpy'):
        torch.load(path, weights_only=True)  # outside torch_load_safely: refused
    torch_load_safely(path)
    assert _mmengine_types_allowed_process_wide() == []  # and nothing left behind


def test_mmengine_checkpoint_loads_weights_only(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = torch_load_safely(path)
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert ckpt['extra']['buffer'].mean() == pytest.approx(2.0)
    assert ckpt['extra']['arr'].tolist() == [0, 1, 2, 3]
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 0.25


def test_arbitrary_object_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': _Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match='posix.system|os.system|system'):
        torch_load_safely(path)


def test_getattr_only_resolves_history_buffer_statistics(tmp_path):
    import builtins

    from mmengine.logging import HistoryBuffer

    class _Sneaky:
        def __reduce__(self):  # getattr is allowed only for the statistics
            return (builtins.getattr, (HistoryBuffer, '__init__'))
    path = str(tmp_path / 'sneaky.pth')
    torch.save({'x': _Sneaky()}, path)
    with pytest.raises(pickle.UnpicklingError, match='not on the allow-list'):
        torch_load_safely(path)
