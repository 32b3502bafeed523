"""The online teacher-student COCO configs hold what their names say and
line up with mmdet's SoftTeacher splits."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from tests.conftest import ROOT

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'teacher_student', '*.py')))
NAME = re.compile(r'ts-(ema|fixed)_(faster-rcnn|retinanet|mask-rcnn)_r50-in1k_fpn_bn_8xb5-'
                  r'(\d+)k_coco-(\d+pct-fold1|unlabeled2017)\.py')
TYPES = {'faster-rcnn': 'FasterRCNN', 'retinanet': 'RetinaNet', 'mask-rcnn': 'MaskRCNN'}


def test_grid():
    # 3 detectors x (1, 2, 5, 10 % folds + full) EMA, + a fixed teacher each
    assert len(CONFIGS) == 18


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_holds_what_its_name_says(path):
    kind, det, kiters, data = NAME.fullmatch(osp.basename(path)).groups()
    cfg = Config.fromfile(path)
    assert cfg.model.type == 'TeacherStudentDetector' and cfg.model.teacher_kind == kind
    assert cfg.model.detector.type == TYPES[det]
    assert cfg.model.detector.backbone.style == 'caffe'
    assert cfg.model.semi_train_cfg.score_thr == 0.5
    assert cfg.train_cfg.multiplier * 90 == int(kiters)
    loader = cfg.train_dataloader
    assert loader.batch_size == 5 and loader.sampler.source_ratio == [1, 4]
    human, pseudo = loader.dataset.human, loader.dataset.pseudo
    if data == 'unlabeled2017':
        assert human.ann_file == 'annotations/instances_train2017.json'
        assert pseudo.type == 'ImageFolderDataset'
    else:
        pct = data.split('pct')[0]
        assert human.ann_file == f'semi_anns/instances_train2017.1@{pct}.json'
        assert pseudo.ann_file == f'semi_anns/instances_train2017.1@{pct}-unlabeled.json'
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert ('MeanTeacherHook' in hooks) == (kind == 'ema')
    assert (cfg.model.get('teacher_checkpoint') is not None) == (kind == 'fixed')
    masks = [t for t in human.pipeline if t['type'] == 'LoadAnnotations'][0].get('with_mask')
    assert bool(masks) == (det == 'mask-rcnn')
