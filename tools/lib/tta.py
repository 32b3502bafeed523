"""Test-time augmentation settings shared by ``tools/test.py`` and the
pseudo-labelling tools."""
import copy

from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log

from tools.lib.data_check import walk_datasets

DET_META_KEYS = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                 'flip', 'flip_direction')


def innermost_dataset(dataset_cfg: dict) -> dict:
    """The first dataset that wraps no other (through ``dataset=`` wrappers
    such as RepeatDataset, by :func:`tools.lib.data_check.walk_datasets`)."""
    return next(ds for ds, leaf in walk_datasets(dataset_cfg) if leaf)


def apply_det_tta(cfg: Config) -> Config:
    """Wrap ``cfg.model`` in ``DetTTAModel`` with a flip TTA pipeline.

    Uses ``cfg.tta_model``/``cfg.tta_pipeline`` when the config defines them
    (multi-scale, say); otherwise horizontal flip with NMS merging, as mmdet's
    ``tools/test.py --tta`` does.
    """
    if 'tta_model' not in cfg:
        print_log('no tta_model in the config: using DetTTAModel with NMS',
                  logger='current')
        cfg.tta_model = dict(type='DetTTAModel',
                             tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5),
                                          max_per_img=100))
    if 'tta_pipeline' not in cfg:
        print_log('no tta_pipeline in the config: using flip TTA', logger='current')
        pipeline = copy.deepcopy(innermost_dataset(cfg.test_dataloader.dataset).pipeline)
        pipeline[-1] = dict(type='TestTimeAug', transforms=[
            [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)],
            [dict(type='PackDetInputs', meta_keys=DET_META_KEYS)]])
        cfg.tta_pipeline = pipeline
    if _predicts_masks(cfg.model) and cfg.tta_model.get('type') == 'DetTTAModel':
        print_log('TTA merges boxes only (mmdet\'s DetTTAModel): the masks of each view '
                  'are left out and the evaluation is bbox AP', logger='current')
        cfg.tta_model = dict(cfg.tta_model, type='BoxOnlyDetTTAModel')
        for key in ('test_evaluator', 'val_evaluator'):
            if isinstance(cfg.get(key), dict) and 'metric' in cfg[key]:
                cfg[key]['metric'] = 'bbox'
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    innermost_dataset(cfg.test_dataloader.dataset).pipeline = cfg.tta_pipeline
    return cfg


def _predicts_masks(model_cfg: dict) -> bool:
    roi_head = model_cfg.get('roi_head') or {}
    return bool(roi_head.get('mask_head'))
