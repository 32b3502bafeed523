"""CocoKeypointMetric: perfect keypoints score OKS AP 1, moved ones less, none 0."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from projects.evaluation import CocoKeypointMetric


def _samples(ann_file, shift=0.0, drop_every=0):
    coco = json.load(open(ann_file))
    cats = sorted(c['id'] for c in coco['categories'])
    samples = []
    for img in coco['images']:
        anns = [a for a in coco['annotations'] if a['image_id'] == img['id']]
        kps = [np.asarray(a.get('keypoints') or [0] * 9, np.float32).reshape(3, 3) for a in anns]
        # continuous pixel coordinates, as CocoKeypointDataset and the decode give them
        kps = [k + np.array([shift + 0.5, 0.5, 0], np.float32) for k in kps]
        keep = [i for i in range(len(anns)) if not (drop_every and i % drop_every == 0)]
        samples.append(dict(img_id=img['id'], pred_instances=dict(
            labels=torch.tensor([cats.index(anns[i]['category_id']) for i in keep]),
            scores=torch.ones(len(keep)),
            keypoints=torch.as_tensor(np.stack([kps[i] for i in keep]) if keep
                                      else np.zeros((0, 3, 3), np.float32)))))
    return samples


def _ap(ann_file, samples):
    metric = CocoKeypointMetric(ann_file=ann_file, sigmas=[0.05] * 3)
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_perfect_moved_and_missing_keypoints(demo_data):
    ann = osp.join(demo_data, 'annotations', 'instances_val.json')
    perfect = _ap(ann, _samples(ann))
    assert perfect['keypoints_AP'] == pytest.approx(1.0)
    moved = _ap(ann, _samples(ann, shift=3.0))
    assert 0 < moved['keypoints_AP'] < 0.9  # 3 px off, at sigma 0.05, on 20-60 px shapes
    missing = _ap(ann, _samples(ann, drop_every=2))  # half the instances undetected
    assert missing['keypoints_AR'] < 0.9 and missing['keypoints_AP'] < 1.0
    assert _ap(ann, [dict(img_id=1, pred_instances=dict(
        labels=torch.zeros(0, dtype=torch.long), scores=torch.zeros(0),
        keypoints=torch.zeros(0, 3, 3)))])['keypoints_AP'] == 0.0


def test_a_json_without_keypoint_categories_is_refused(tmp_path):
    path = tmp_path / 'plain.json'
    path.write_text(json.dumps(dict(images=[], annotations=[],
                                    categories=[dict(id=1, name='a')])))
    with pytest.raises(ValueError, match='no category .* lists keypoints'):
        CocoKeypointMetric(ann_file=str(path))
