"""projects/apis/pseudo_label.py: records hold no degenerate box (issue #38 item 8)."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from projects.apis.pseudo_label import prediction_to_record, records_to_coco


def _sample(boxes, scores, w=612, h=480):
    sample = DetDataSample(metainfo=dict(ori_shape=(h, w)))
    sample.pred_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                         scores=torch.tensor(scores),
                                         labels=torch.zeros(len(boxes), dtype=torch.long))
    return sample


def test_boxes_are_clipped_and_degenerate_ones_dropped_and_counted():
    boxes = [[612.0, 112.3, 640.0, 234.57],   # right of the image: 0 px wide once clipped
             [100.0, 479.6, 150.0, 500.0],    # 0.4 px high once clipped
             [-20.0, 10.0, 40.0, 60.0],       # partly outside: clipped to x0 = 0
             [200.0, 200.0, 200.5, 260.0]]    # 0.5 px wide inside the image
    rec = prediction_to_record(dict(id=7, file_name='a.jpg'), _sample(boxes, [0.9] * 4),
                               0.5, [1])
    assert rec['degenerate'] == 3
    assert [a['bbox'] for a in rec['anns']] == [[0.0, 10.0, 40.0, 50.0]]
    assert all(w >= 1 and h >= 1 for _, _, w, h in (a['bbox'] for a in rec['anns']))
    coco = records_to_coco([rec], [dict(id=1, name='x')], {})
    assert len(coco['annotations']) == 1 and coco['images'][0]['width'] == 612


def test_below_the_threshold_is_not_counted_as_degenerate():
    rec = prediction_to_record(dict(id=1, file_name='a.jpg'),
                               _sample([[612.0, 0.0, 640.0, 10.0]], [0.1]), 0.5, [1])
    assert rec['anns'] == [] and rec['degenerate'] == 0
