"""COCO boxes, masks and keypoints (``person_keypoints_*.json``)."""
from typing import List, Union

import numpy as np

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS


@DATASETS.register_module()
class CocoKeypointDataset(CocoDataset):
    """:class:`CocoDataset` whose instances also carry ``keypoints`` (K, 3).

    ``metainfo`` names the keypoints (``keypoint_names``, K of them); an
    annotation without keypoints (another category) gets K invisible ones.
    Rows are (x, y, v), v = 0 not labelled, 1 occluded, 2 visible, as in
    COCO. COCO's x, y are pixel indices; here they are continuous pixel
    coordinates, index + 0.5 (pixel i spans [i, i + 1]), as detectron2 reads
    them: a horizontal flip ``x -> W - x`` then lands on the mirrored pixel,
    and ``CocoKeypointMetric`` subtracts the 0.5 again. Pair with
    ``KeypointsFollowImage`` and ``PackKeypointInputs`` in the pipeline.

    Args:
        min_keypoints_per_image (int): In training, drop images whose
            instances hold fewer labelled keypoints (v > 0) in all; detectron2's
            ``MIN_KEYPOINTS_PER_IMAGE`` (our COCO configs: 1). Defaults to 0.
        **kwargs: ``CocoDataset``'s arguments.
    """

    def __init__(self, *args, min_keypoints_per_image: int = 0, **kwargs) -> None:
        if min_keypoints_per_image < 0:
            raise ValueError('CocoKeypointDataset: min_keypoints_per_image must be >= 0, '
                             f'got {min_keypoints_per_image}')
        self.min_keypoints_per_image = min_keypoints_per_image
        super().__init__(*args, **kwargs)

    def filter_data(self) -> List[dict]:
        """mmdet's filter, then (training) images with too few labelled keypoints."""
        kept = super().filter_data()
        if self.test_mode or not self.min_keypoints_per_image:
            return kept
        return [info for info in kept
                if sum(int((i['keypoints'][:, 2] > 0).sum()) for i in info['instances']
                       if not i.get('ignore_flag', 0)) >= self.min_keypoints_per_image]

    def parse_data_info(self, raw_data_info: dict) -> Union[dict, List[dict]]:
        data_info = super().parse_data_info(raw_data_info)
        kept = [a for a in raw_data_info['raw_ann_info']
                if self._kept(a, raw_data_info['raw_img_info'])]
        if len(kept) != len(data_info['instances']):  # mmdet changed its filter
            raise RuntimeError('CocoKeypointDataset: instances and annotations differ')
        num = len(self.metainfo.get('keypoint_names', ()))
        for instance, ann in zip(data_info['instances'], kept):
            kps = np.asarray(ann.get('keypoints') or [], np.float32).reshape(-1, 3)
            kps[kps[:, 2] > 0, :2] += 0.5  # pixel index -> continuous pixel coordinate
            instance['keypoints'] = kps if len(kps) else np.zeros((num, 3), np.float32)
        return data_info

    def _kept(self, ann: dict, img_info: dict) -> bool:
        """The annotations ``CocoDataset.parse_data_info`` turns into instances."""
        if ann.get('ignore', False):
            return False
        x1, y1, w, h = ann['bbox']
        inter_w = max(0, min(x1 + w, img_info['width']) - max(x1, 0))
        inter_h = max(0, min(y1 + h, img_info['height']) - max(y1, 0))
        return inter_w * inter_h > 0 and ann['area'] > 0 and w >= 1 and h >= 1 and \
            ann['category_id'] in self.cat_ids
