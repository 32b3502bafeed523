"""Mask R-CNN's RoI head with a keypoint branch."""
from typing import List, Tuple

import torch
from torch import Tensor

from mmdet.models.roi_heads import StandardRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi
from mmdet.utils import ConfigType, InstanceList


@MODELS.register_module()
class KeypointRoIHead(StandardRoIHead):
    """:class:`StandardRoIHead` (boxes and masks) plus a keypoint heatmap branch.

    Training: the keypoint head runs on the positive RoIs of the mask branch
    (each matched to a ground-truth instance whose ``keypoints`` are its
    targets; instances without labelled keypoints add nothing), its loss is
    ``loss_keypoint``. Prediction: every detected box gets ``keypoints``
    (N, K, 3): x, y in the output frame and the heatmap peak's probability.

    Args:
        keypoint_roi_extractor (dict): RoI extractor, e.g. 14 x 14 RoIAlign.
        keypoint_head (dict): :class:`KeypointHeatmapHead` config.
        **kwargs: :class:`StandardRoIHead`'s arguments (a mask head is needed).
    """

    def __init__(self, keypoint_roi_extractor: ConfigType, keypoint_head: ConfigType,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not self.with_mask:
            raise ValueError('KeypointRoIHead: needs a mask_head (the keypoint branch runs '
                             'beside it on the same positive RoIs)')
        self.keypoint_roi_extractor = MODELS.build(keypoint_roi_extractor)
        self.keypoint_head = MODELS.build(keypoint_head)

    def _keypoint_forward(self, x: Tuple[Tensor], rois: Tensor) -> Tensor:
        """(P, K, S, S) heatmap logits of (P, 5) RoIs."""
        feats = self.keypoint_roi_extractor(x[:self.keypoint_roi_extractor.num_inputs], rois)
        return self.keypoint_head(feats)

    def mask_loss(self, x: Tuple[Tensor], sampling_results: List[SamplingResult],
                  bbox_feats: Tensor, batch_gt_instances: InstanceList) -> dict:
        """The mask loss and, in the same dict, ``loss_keypoint``."""
        results = super().mask_loss(x, sampling_results, bbox_feats, batch_gt_instances)
        results['loss_mask']['loss_keypoint'] = self.keypoint_loss(
            x, sampling_results, batch_gt_instances)
        return results

    def keypoint_loss(self, x: Tuple[Tensor], sampling_results: List[SamplingResult],
                      batch_gt_instances: InstanceList) -> Tensor:
        """Cross-entropy of the heatmaps of the positive RoIs against their GT's keypoints."""
        pos_boxes = [res.pos_priors for res in sampling_results]
        targets = [gt.keypoints[res.pos_assigned_gt_inds]
                   for res, gt in zip(sampling_results, batch_gt_instances)]
        rois = bbox2roi(pos_boxes)
        heatmaps = self._keypoint_forward(x, rois)
        return self.keypoint_head.loss(heatmaps, torch.cat(targets), rois[:, 1:])

    def predict_mask(self, x: Tuple[Tensor], batch_img_metas: List[dict],
                     results_list: InstanceList, rescale: bool = False) -> InstanceList:
        """Masks as :class:`StandardRoIHead`, keypoints of the same boxes."""
        boxes = [res.bboxes for res in results_list]  # still in the input frame here
        keypoints = []
        if sum(len(b) for b in boxes):
            rois = bbox2roi(boxes)
            kps = self.keypoint_head.decode(self._keypoint_forward(x, rois), rois[:, 1:])
            keypoints = list(kps.split([len(b) for b in boxes]))
        else:
            k = self.keypoint_head.num_keypoints
            keypoints = [b.new_zeros((0, k, 3)) for b in boxes]
        results_list = super().predict_mask(x, batch_img_metas, results_list, rescale)
        for res, kps, meta in zip(results_list, keypoints, batch_img_metas):
            if rescale and len(kps):
                scale = kps.new_tensor(meta['scale_factor'])  # (w, h)
                kps = torch.cat([kps[..., :2] / scale, kps[..., 2:]], -1)
            res.keypoints = kps
        return results_list
