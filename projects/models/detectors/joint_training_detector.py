"""Joint training (Zoph et al. 2020, Table 7): detection and image classification."""
from typing import Dict, Optional

import torch
from torch import Tensor

from mmdet.models.detectors.base import BaseDetector
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from ..frozen_bn_stats import frozen_bn_stats
from ..source_split_data_preprocessor import check_sources

CLS_SOURCE = 'classify'  # HumanPseudoDataset's classification part


def _plain_preprocessor(detector: dict) -> dict:
    """The per-image data preprocessor inside a (possibly wrapped) detector config."""
    while detector.get('data_preprocessor') is None and 'detector' in detector:
        detector = detector['detector']
    pre = detector.get('data_preprocessor')
    if pre is None:
        raise KeyError('JointTrainingDetector: the detector config has no data_preprocessor')
    return pre


@MODELS.register_module()
class JointTrainingDetector(BaseDetector):
    """Train a detector and an image classifier on one shared backbone.

    Each batch, from a :class:`HumanPseudoDataset` split by
    :class:`SourceSplitDataPreprocessor`, holds detection images (the
    ``human`` part, plus ``pseudo`` when ``detector`` is a
    :class:`NoisyStudentDetector`: joint training composes with
    self-training) and classification images (the ``classify`` part, each
    with ``gt_label`` in its metainfo, from :class:`ClassFolderDataset`). The
    loss is the detector's plus ``cls_weight`` x the cross-entropy of an
    :class:`ImageClsHead` on the backbone's last stage.

    The detector's parts are this model's own (``backbone.``, ``neck.``,
    ``bbox_head.`` ..., or ``student.`` for a student) and the classifier is
    ``cls_head.``. BN running statistics come from the detection (human)
    batches only: the classification forward (224-px crops of another data
    set) runs under :func:`frozen_bn_stats`, so the statistics used at test
    time are not half classification crops. A checkpoint of this model is a
    detector checkpoint plus
    ``cls_head.*``, which a plain detector config loads (``load_from``,
    ``tools/test.py``), leaving the classifier out. Prediction is the detector's.

    Args:
        detector (dict): Any mmdet detector, or a ``NoisyStudentDetector``.
        cls_head (dict): :class:`ImageClsHead` config (in_channels, num_classes).
        cls_weight (float): Weight of the classification loss. Default 1.0.
        data_preprocessor (dict, optional): Defaults to a
            :class:`SourceSplitDataPreprocessor` around the detector's own.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self, detector: ConfigType, cls_head: ConfigType, cls_weight: float = 1.0,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if cls_weight < 0:
            raise ValueError(f'JointTrainingDetector: cls_weight must be >= 0, got {cls_weight}')
        if data_preprocessor is None:
            data_preprocessor = dict(type='SourceSplitDataPreprocessor',
                                     data_preprocessor=_plain_preprocessor(detector))
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        det = MODELS.build(detector)
        # not a submodule: its parts are (checkpoint keys of a plain detector)
        self.__dict__['detector'] = det
        for name, child in det.named_children():
            if name != 'data_preprocessor':
                self.add_module(name, child)
        self.cls_head = MODELS.build(dict(cls_head, type=cls_head.get('type', 'ImageClsHead')))
        self.cls_weight = float(cls_weight)
        self.student_detector = hasattr(det, 'loss_norm')

    @property
    def shared_backbone(self):
        """The backbone that both tasks train (the student's, for a student)."""
        return getattr(self.detector, 'student', self.detector).backbone

    def train(self, mode: bool = True):
        super().train(mode)
        self.detector.training = mode
        return self

    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """The detector's losses plus ``joint_cls_loss`` (weighted) and ``joint_cls_acc``."""
        check_sources(multi_batch_inputs, ('human', CLS_SOURCE), type(self).__name__)
        losses = self.loss_by_detection(multi_batch_inputs, multi_batch_data_samples)
        losses.update(self.loss_by_classification(multi_batch_inputs[CLS_SOURCE],
                                                  multi_batch_data_samples[CLS_SOURCE]))
        return losses

    def loss_by_detection(self, multi_batch_inputs: Dict[str, Tensor],
                          multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """The detector's losses on the detection parts, (B_det, C, H, W) inputs."""
        if self.student_detector:
            keep = [b for b in multi_batch_inputs if b != CLS_SOURCE]
            return self.detector.loss({b: multi_batch_inputs[b] for b in keep},
                                      {b: multi_batch_data_samples[b] for b in keep})
        return self.detector.loss(multi_batch_inputs['human'], multi_batch_data_samples['human'])

    def loss_by_classification(self, batch_inputs: Tensor,
                               batch_data_samples: SampleList) -> dict:
        """Weighted cross-entropy of the classifier, (B_cls, C, H, W) inputs."""
        labels = torch.as_tensor([s.metainfo['gt_label'] for s in batch_data_samples],
                                 dtype=torch.long, device=batch_inputs.device)
        with frozen_bn_stats(self.shared_backbone):
            feat = self.shared_backbone(batch_inputs)[-1]
        out = self.cls_head.loss(feat, labels)
        return dict(joint_cls_loss=out['loss'] * self.cls_weight, joint_cls_acc=out['acc'])

    def predict(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        return self.detector.predict(batch_inputs, batch_data_samples, rescale=rescale)

    def _forward(self, batch_inputs: Tensor, batch_data_samples: Optional[SampleList] = None):
        return self.detector._forward(batch_inputs, batch_data_samples)

    def extract_feat(self, batch_inputs: Tensor):
        return self.detector.extract_feat(batch_inputs)
