"""Test-time augmentation of boxes for detectors that also predict masks."""
from typing import List

from mmdet.models.test_time_augs import DetTTAModel
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample


@MODELS.register_module()
class BoxOnlyDetTTAModel(DetTTAModel):
    """mmdet's ``DetTTAModel`` (merge every view's boxes, then NMS) for a
    Mask R-CNN or Cascade Mask R-CNN: each view's masks are left out before
    the merge (``DetTTAModel`` refuses masks), so the result is boxes only
    and the evaluation is bbox AP."""

    def merge_preds(self, data_samples_list: List[List[DetDataSample]]):
        for samples in data_samples_list:
            for sample in samples:
                if 'masks' in sample.pred_instances:
                    del sample.pred_instances.masks
        return super().merge_preds(data_samples_list)
