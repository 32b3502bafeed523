"""PackDetInputs with keypoints in the instances."""
import numpy as np
import torch

from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackKeypointInputs(PackDetInputs):
    """:class:`PackDetInputs`, plus ``gt_keypoints`` (N, K, 3) as the instances'
    ``keypoints`` (ignored instances' in ``ignored_instances``)."""

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if 'gt_keypoints' not in results:
            return packed
        kps = torch.as_tensor(results['gt_keypoints'], dtype=torch.float32)
        ignore = np.asarray(results.get('gt_ignore_flags', np.zeros(len(kps), bool)), bool)
        sample = packed['data_samples']
        sample.gt_instances.keypoints = kps[torch.as_tensor(~ignore)]
        sample.ignored_instances.keypoints = kps[torch.as_tensor(ignore)]
        return packed
