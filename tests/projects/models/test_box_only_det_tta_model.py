"""BoxOnlyDetTTAModel: a mask detector's views merge as boxes, masks left out."""
import torch
from mmengine.structures import InstanceData

from mmdet.structures import DetDataSample
from projects.models.test_time_augs import BoxOnlyDetTTAModel


def _view(flip, boxes, scores):
    sample = DetDataSample(metainfo=dict(img_shape=(100, 100), ori_shape=(100, 100),
                                         scale_factor=(1.0, 1.0), flip=flip,
                                         flip_direction='horizontal' if flip else None))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32), scores=torch.tensor(scores),
        labels=torch.zeros(len(scores), dtype=torch.long),
        masks=torch.ones(len(scores), 100, 100, dtype=torch.bool))
    return sample


def test_views_merge_into_boxes_without_masks():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from tests.conftest import DEMO_CONFIG, ROOT
    init_default_scope('mmdet')
    detector = Config.fromfile(f'{ROOT}/{DEMO_CONFIG}').model
    from mmengine.config import ConfigDict
    model = BoxOnlyDetTTAModel(module=detector, tta_cfg=ConfigDict(
        nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))
    # the same object seen plain and flipped (x -> 100 - x), and a second one
    plain = _view(False, [[10, 10, 30, 40], [60, 60, 90, 90]], [0.9, 0.8])
    flipped = _view(True, [[70, 10, 90, 40]], [0.7])
    merged = model.merge_preds([[plain, flipped]])[0].pred_instances
    assert 'masks' not in merged
    assert len(merged) == 2  # the flipped view of the first object was merged by NMS
    top = merged.bboxes[merged.scores.argmax()]
    assert torch.allclose(top, torch.tensor([10., 10., 30., 40.]))
