"""Offline Noisy-Student student: human + pseudo labels, normalized losses."""
from typing import Dict, Optional

from torch import Tensor

from mmdet.models.detectors.base import BaseDetector
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from ..checkpoint_prefix import prefix_plain_state_dict
from ..frozen_bn_stats import frozen_bn_stats
from ..source_split_data_preprocessor import check_sources


@MODELS.register_module()
class NoisyStudentDetector(BaseDetector):
    """Train any mmdet detector on human and pseudo labels together.

    Batches come from a :class:`HumanPseudoDataset` under mmdet's
    ``MultiSourceSampler`` (half human, half pseudo); a
    :class:`SourceSplitDataPreprocessor` splits them by each sample's
    ``source``, as it does for the segmentation student. The two losses are
    computed separately and combined by :class:`LossNormalizer` (keys
    ``sup_*`` / ``unsup_*``). Prediction, testing and ``tools/test.py`` use
    the student.

    BN running statistics come from the human batches only: the pseudo
    forward runs under :func:`frozen_bn_stats` (``pseudo_updates_bn=True``
    lets it move them too). A plain detector checkpoint (the teacher, say)
    initialises the student: ``load_from=teacher.pth`` works unchanged.

    Args:
        detector (dict): The student detector config (any mmdet detector).
        loss_norm (dict): :class:`LossNormalizer` config.
        pseudo_updates_bn (bool): Let the pseudo-labelled forward move BN
            running statistics. Defaults to False.
        data_preprocessor (dict, optional): Defaults to a
            :class:`SourceSplitDataPreprocessor` around the detector's own, so a
            child config that changes ``model.detector.data_preprocessor``
            (e.g. for caffe-style ImageNet weights) changes one place.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 detector: ConfigType,
                 loss_norm: ConfigType = dict(type='LossNormalizer'),
                 pseudo_updates_bn: bool = False,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SourceSplitDataPreprocessor',
                                     data_preprocessor=detector['data_preprocessor'])
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(detector)
        self.loss_norm = MODELS.build(loss_norm)
        self.pseudo_updates_bn = pseudo_updates_bn

    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """Normalized sum of the human (``sup_``) and pseudo (``unsup_``) losses of
        ``{'human': (B_h, C, H, W), 'pseudo': (B_p, C, H, W)}`` inputs."""
        check_sources(multi_batch_inputs, ('human', 'pseudo'), type(self).__name__)
        human = self.loss_by_gt_instances(multi_batch_inputs['human'],
                                          multi_batch_data_samples['human'])
        with frozen_bn_stats(self.student, enabled=not self.pseudo_updates_bn):
            pseudo = self.loss_by_pseudo_instances(multi_batch_inputs['pseudo'],
                                                   multi_batch_data_samples['pseudo'])
        boxes = sum(len(s.gt_instances) for s in multi_batch_data_samples['pseudo'])
        return self.loss_norm(human, pseudo, num_pseudo_boxes=boxes)

    def loss_by_gt_instances(self, batch_inputs: Tensor,
                             batch_data_samples: SampleList) -> dict:
        """Loss of the student on human labels, shape (B_h, C, H, W) input."""
        return self.student.loss(batch_inputs, batch_data_samples)

    def loss_by_pseudo_instances(self, batch_inputs: Tensor,
                                 batch_data_samples: SampleList) -> dict:
        """Loss of the student on the teacher's (offline) pseudo labels."""
        return self.student.loss(batch_inputs, batch_data_samples)

    def predict(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        return self.student.predict(batch_inputs, batch_data_samples, rescale=rescale)

    def _forward(self, batch_inputs: Tensor, batch_data_samples: Optional[SampleList] = None):
        return self.student._forward(batch_inputs, batch_data_samples)

    def extract_feat(self, batch_inputs: Tensor):
        return self.student.extract_feat(batch_inputs)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        """Accept plain detector checkpoints by prefixing their keys."""
        prefix_plain_state_dict(state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)
