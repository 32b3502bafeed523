"""Two iterations on real COCO images (coco128: crowd regions, polygon masks)."""
import os.path as osp

import pytest
import torch

import projects.register  # noqa: F401  (allow-lists the types mmengine checkpoints hold)
from projects.compat.torch_load import torch_load_safely

from tests.conftest import run_tool, shared_data

CONFIG = 'configs/demo/sup_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb2-40i_coco128.py'


@pytest.mark.realdata
def test_two_iterations_on_coco128(tmp_path):
    root = shared_data('coco128')
    work = str(tmp_path / 'coco128')
    ann = osp.join(root, 'annotations', 'instances_train2017.json')
    opts = [f'train_dataloader.dataset.data_root={root}/',
            f'val_dataloader.dataset.data_root={root}/',
            f'test_dataloader.dataset.data_root={root}/',
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}',
            'train_cfg.max_iters=2', 'val_dataloader.dataset.indices=8',
            'val_evaluator.metric=[bbox,segm]',
            # log every iteration, and keep low-score boxes of a 2-iteration
            # model so that the segm metric has something to score
            'default_hooks.logger.interval=1', 'model.test_cfg.rcnn.score_thr=0.0']
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options'] + opts)
    log = proc.stdout + proc.stderr
    assert 'loss_mask' in log and 'coco/segm_mAP' in log
    ckpt = torch_load_safely(osp.join(work, 'iter_2.pth'), map_location='cpu')
    assert ckpt['meta']['iter'] == 2
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values())
