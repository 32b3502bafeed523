"""AtomicCheckpointHook: atomic local writes by default, remote backends as given, and
published models read safely and written atomically."""
import glob
import os

import torch
from mmengine.logging import HistoryBuffer

from projects.compat import load_checkpoint_safely
from projects.engine.hooks import AtomicCheckpointHook
from projects.fileio import atomic_save_checkpoint


def test_publishing_keeps_the_published_keys_only(tmp_path):
    loss = HistoryBuffer()
    loss.update(0.5)
    path = str(tmp_path / 'iter_4.pth')
    atomic_save_checkpoint(dict(meta=dict(iter=4), state_dict={'w': torch.ones(2)},
                                message_hub=dict(log_scalars={'loss': loss}),
                                optimizer={'lr': 0.1}), path)
    hook = AtomicCheckpointHook(interval=1, published_keys=['meta', 'state_dict'])
    hook._publish_model(None, path)  # mmengine's message hub object: read with the allow-list
    [published] = glob.glob(str(tmp_path / 'iter_4-*.pth'))
    checkpoint = load_checkpoint_safely(published)
    assert set(checkpoint) == {'meta', 'state_dict'}
    assert torch.equal(checkpoint['state_dict']['w'], torch.ones(2))
    assert not [n for n in os.listdir(tmp_path) if n.endswith('.part')]
