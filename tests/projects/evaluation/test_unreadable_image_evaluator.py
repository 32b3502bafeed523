"""UnreadableImageEvaluator on mmdet's own CocoMetric: a skipped image and its
ground truth are left out of AP (an upstream change to how CocoMetric picks its
images fails here, not silently in AP)."""
import json

from mmengine.registry import init_default_scope

from projects.evaluation import SkippedSample, UnreadableImageEvaluator
from projects.utils import unreadable_images as record_mod


def _perfect_predictions(ann):
    """One DetDataSample-like dict per image: every ground-truth box, score 1."""
    from mmengine.structures import InstanceData
    import torch
    out = []
    for img in ann['images']:
        boxes = [a['bbox'] for a in ann['annotations'] if a['image_id'] == img['id']]
        labels = [a['category_id'] - 1 for a in ann['annotations'] if a['image_id'] == img['id']]
        xyxy = torch.tensor([[x, y, x + w, y + h] for x, y, w, h in boxes] or
                            torch.zeros((0, 4)), dtype=torch.float32).reshape(-1, 4)
        pred = InstanceData(bboxes=xyxy, scores=torch.ones(len(boxes)),
                            labels=torch.tensor(labels, dtype=torch.long))
        out.append(dict(img_id=img['id'], img_path=f'/x/{img["file_name"]}',
                        ori_shape=(img['height'], img['width']), pred_instances=pred))
    return out


def test_coco_metric_leaves_the_skipped_image_and_its_ground_truth_out(demo_data, tmp_path,
                                                                         monkeypatch):
    ann_file = f'{demo_data}/annotations/instances_val.json'
    ann = json.load(open(ann_file))
    samples = _perfect_predictions(ann)
    first = samples[0]
    assert len(first['pred_instances']) > 0
    init_default_scope('mmdet')

    def evaluate(skip):
        monkeypatch.setenv(record_mod.ENV, str(tmp_path / f'{skip}.jsonl'))
        if skip:
            record_mod.record(first['img_path'], 'cannot be decoded', 'eval', first['img_id'])
            # the blank image's prediction: nothing found
            samples[0] = dict(first, pred_instances=first['pred_instances'][:0])
        evaluator = UnreadableImageEvaluator(dict(type='CocoMetric', ann_file=ann_file,
                                                  metric='bbox'))
        evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
        evaluator.process(samples)
        return evaluator.evaluate(len(samples))['coco/bbox_mAP']

    assert evaluate(False) == 1.0  # perfect boxes
    # without the exclusion, image 1 would count as missed ground truth (AP < 1)
    assert evaluate(True) == 1.0
    metric_results = []  # what the skipped sample left in the metric
    evaluator = UnreadableImageEvaluator(dict(type='CocoMetric', ann_file=ann_file,
                                              metric='bbox'))
    evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
    evaluator.process(samples[:1])
    metric_results = evaluator.metrics[0].results
    assert len(metric_results) == 1 and isinstance(metric_results[0], SkippedSample)
    assert metric_results[0].img_id == first['img_id']


def test_coco_metric_counts_a_missed_image_when_nothing_was_skipped(demo_data, tmp_path,
                                                                     monkeypatch):
    """The control of the test above: the same empty prediction, not recorded as
    skipped, lowers AP (so the 1.0 above is the exclusion's doing)."""
    monkeypatch.setenv(record_mod.ENV, str(tmp_path / 'none.jsonl'))
    ann_file = f'{demo_data}/annotations/instances_val.json'
    ann = json.load(open(ann_file))
    samples = _perfect_predictions(ann)
    samples[0] = dict(samples[0], pred_instances=samples[0]['pred_instances'][:0])
    init_default_scope('mmdet')
    evaluator = UnreadableImageEvaluator(dict(type='CocoMetric', ann_file=ann_file,
                                              metric='bbox'))
    evaluator.dataset_meta = dict(classes=tuple(c['name'] for c in ann['categories']))
    evaluator.process(samples)
    assert evaluator.evaluate(len(samples))['coco/bbox_mAP'] < 0.95


