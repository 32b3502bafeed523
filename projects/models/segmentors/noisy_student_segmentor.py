"""Noisy-Student student for semantic segmentation (mmseg)."""
from typing import Dict, List

from torch import Tensor

from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList
from ..checkpoint_prefix import prefix_plain_state_dict
from ..frozen_bn_stats import frozen_bn_stats
from ..source_split_data_preprocessor import check_sources


@MODELS.register_module()
class NoisyStudentSegmentor(BaseSegmentor):
    """Train any mmseg segmentor on human and pseudo masks together.

    Batches come from a ``HumanPseudoDataset`` (every data sample tagged
    ``source='human'`` or ``'pseudo'``) under mmdet's ``MultiSourceSampler``
    (half of each batch from each); :class:`SourceSplitDataPreprocessor`
    splits them by ``source``, as for the detection student. The two halves
    get separate losses,
    combined by the same :class:`LossNormalizer` as the detection student:
    ``L = (L_h + alpha * avg(L_h) / avg(L_p) * L_p) / (1 + alpha)``, keys
    ``sup_*`` / ``unsup_*``. Prediction and ``tools/test.py`` use the student;
    a plain segmentor checkpoint initialises it (``load_from``).

    Args:
        segmentor (dict): The student segmentor config (any mmseg segmentor).
        loss_norm (dict): :class:`LossNormalizer` config.
        pseudo_updates_bn (bool): Let the pseudo-labelled forward move BN
            running statistics (by default they come from human batches only,
            :func:`frozen_bn_stats`). Defaults to False.
        data_preprocessor (dict, optional): Defaults to a
            :class:`SourceSplitDataPreprocessor` around the segmentor's.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 segmentor: ConfigType,
                 loss_norm: ConfigType = dict(type='LossNormalizer'),
                 pseudo_updates_bn: bool = False,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SourceSplitDataPreprocessor',
                                     data_preprocessor=segmentor['data_preprocessor'])
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(segmentor)
        self.loss_norm = MODELS.build(loss_norm)  # the detection student's, shared
        self.pseudo_updates_bn = pseudo_updates_bn

    def loss(self, inputs: Dict[str, Tensor], data_samples: Dict[str, SampleList]) -> dict:
        """Normalized human (``sup_``) + pseudo (``unsup_``) losses of
        ``{'human': (B_h, C, H, W), 'pseudo': (B_p, C, H, W)}`` inputs."""
        check_sources(inputs, ('human', 'pseudo'), type(self).__name__)
        human = self.loss_by_gt_instances(inputs['human'], data_samples['human'])
        with frozen_bn_stats(self.student, enabled=not self.pseudo_updates_bn):
            pseudo = self.loss_by_pseudo_instances(inputs['pseudo'], data_samples['pseudo'])
        return self.loss_norm(human, pseudo)

    def loss_by_gt_instances(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Student loss on human masks; (B_h, C, H, W) input, raw keys."""
        return self.student.loss(inputs, data_samples)

    def loss_by_pseudo_instances(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Student loss on the teacher's pseudo masks (255 = ignore)."""
        return self.student.loss(inputs, data_samples)

    def predict(self, inputs: Tensor, data_samples: OptConfigType = None) -> SampleList:
        return self.student.predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples: OptConfigType = None):
        return self.student._forward(inputs, data_samples)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        return self.student.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """(B, num_classes, H, W) logits of the student."""
        return self.student.encode_decode(inputs, batch_img_metas)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        """Accept plain segmentor checkpoints by prefixing their keys."""
        prefix_plain_state_dict(state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)
