"""Online teacher-student self-training: pseudo boxes *and masks* from a
fixed or EMA teacher, for any mmdet detector."""
import copy
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.logging import MessageHub, print_log
from torch import Tensor

from mmdet.models.detectors.semi_base import SemiBaseDetector
from mmdet.models.utils import filter_gt_instances, rename_loss_dict
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox_project
from mmdet.structures.mask import BitmapMasks
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from projects.utils.score_thresholds import keep_mask
from projects.utils.errors import UserInputError

TEACHER_KINDS = ('ema', 'fixed')


def warp_masks(masks: Tensor, matrix: Tensor, out_shape: Tuple[int, int]) -> Tensor:
    """Warp binary masks by a homography, nearest neighbour, on their device.

    Args:
        masks (Tensor): (N, H_in, W_in) masks in the source view.
        matrix (Tensor): (3, 3) homography, source pixel coords -> target.
        out_shape (tuple): (H_out, W_out) of the target view.

    Returns:
        Tensor: (N, H_out, W_out) bool masks; pixels whose source falls
        outside the source view are False.
    """
    h, w = out_shape
    n, h_in, w_in = masks.shape
    dev = masks.device
    ys, xs = torch.meshgrid(torch.arange(h, device=dev) + 0.5,
                            torch.arange(w, device=dev) + 0.5, indexing='ij')
    pts = torch.stack([xs.flatten(), ys.flatten(), torch.ones_like(xs).flatten()])
    src = torch.linalg.inv(matrix.to(dev, torch.float64)) @ pts.double()
    sx = torch.floor(src[0] / src[2]).long()
    sy = torch.floor(src[1] / src[2]).long()
    valid = (sx >= 0) & (sx < w_in) & (sy >= 0) & (sy < h_in)
    out = masks.new_zeros((n, h * w), dtype=torch.bool)
    out[:, valid] = masks[:, sy[valid], sx[valid]].bool()
    return out.view(n, h, w)


@MODELS.register_module()
class TeacherStudentDetector(SemiBaseDetector):
    """Teacher and student as submodules of one detector; the teacher labels
    the weak view of each unlabelled image online, the student learns from
    the strong view (Noisy Student / Mean Teacher).

    * ``teacher_kind='fixed'``: the teacher is loaded from
      ``teacher_checkpoint`` (or from ``load_from``) and never changes.
    * ``teacher_kind='ema'``: mmdet's ``MeanTeacherHook(momentum=m)`` updates
      it after every step as ``teacher = (1 - m) * teacher + m * student``,
      i.e. ``m`` is the weight of the *student* (mmdet's convention; a
      ``timm``-style decay ``d`` is ``m = 1 - d``).

    Pseudo instances (score >= ``semi_train_cfg.score_thr``) are moved from the
    teacher's view to the student's with the stored homographies: boxes with
    ``bbox_project``, masks with :func:`warp_masks`. The weak view must be a
    resize/flip of the image (Mask R-CNN pastes its masks in that frame).
    Human and pseudo losses are combined by :class:`LossNormalizer`; for
    ``semi_train_cfg.burn_in_iters`` iterations only the human loss is used.
    The teacher gets no gradients. A plain detector checkpoint initialises
    both (``load_from``).

    Args:
        detector (dict): Config of any mmdet detector (both models).
        teacher_kind (str): 'ema' or 'fixed'.
        teacher_checkpoint (str, optional): Weights of a fixed teacher: a
            plain detector checkpoint or one of a student wrapper.
        loss_norm (dict): :class:`LossNormalizer` config.
        semi_train_cfg (dict, optional): ``score_thr`` (0.5),
            ``burn_in_iters`` (0), ``min_pseudo_bbox_wh`` ((1e-2, 1e-2)).
        semi_test_cfg (dict, optional): ``predict_on`` ('teacher'/'student').
        data_preprocessor (dict, optional): Defaults to a
            ``MultiBranchDataPreprocessor`` around the detector's own.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 detector: ConfigType,
                 teacher_kind: str = 'ema',
                 teacher_checkpoint: Optional[str] = None,
                 loss_norm: ConfigType = dict(type='LossNormalizer'),
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if teacher_kind not in TEACHER_KINDS:
            raise ValueError(f'teacher_kind must be one of {TEACHER_KINDS}, got {teacher_kind!r}')
        if teacher_checkpoint and teacher_kind != 'fixed':
            raise ValueError("teacher_checkpoint is for teacher_kind='fixed'; an EMA "
                             'teacher starts as a copy of the student')
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiBranchDataPreprocessor',
                                     data_preprocessor=detector['data_preprocessor'])
        train_cfg = dict(score_thr=0.5, burn_in_iters=0, min_pseudo_bbox_wh=(1e-2, 1e-2))
        train_cfg.update(semi_train_cfg or {})
        test_cfg = dict(predict_on='teacher')
        test_cfg.update(semi_test_cfg or {})
        super().__init__(detector, semi_train_cfg=train_cfg, semi_test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.teacher_kind = teacher_kind
        self.teacher_checkpoint = teacher_checkpoint
        self.loss_norm = MODELS.build(loss_norm)

    def init_weights(self) -> None:
        super().init_weights()
        if self.teacher_checkpoint:
            self._load_teacher(self.teacher_checkpoint)
        elif self.teacher_kind == 'fixed':
            print_log('fixed teacher without teacher_checkpoint: its weights must come '
                      'from load_from', logger='current')

    def _load_teacher(self, path: str) -> None:
        if '://' not in path and not osp.isfile(path):
            raise UserInputError(f'teacher_checkpoint not found: {path}')
        from projects.compat.checkpoint_loading import load_checkpoint_safely
        state = load_checkpoint_safely(path, map_location='cpu')
        state = state.get('state_dict', state)
        for prefix in ('teacher.', 'student.'):  # a wrapper's checkpoint
            if any(k.startswith(prefix) for k in state):
                state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
                break
        missing, _ = self.teacher.load_state_dict(state, strict=False)
        if missing:
            raise UserInputError(f'teacher_checkpoint {path} does not fit the detector '
                                 f'(another architecture?): missing {missing[0]} and '
                                 f'{len(missing) - 1} more keys')

    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """Normalized human (``sup_``) + pseudo (``unsup_``) losses."""
        human = self.loss_by_gt_instances(multi_batch_inputs['sup'],
                                          multi_batch_data_samples['sup'])
        if MessageHub.get_current_instance().get_info('iter', 0) < \
                self.semi_train_cfg['burn_in_iters']:
            return rename_loss_dict('sup_', human)
        pseudo, _ = self.get_pseudo_instances(multi_batch_inputs['unsup_teacher'],
                                              multi_batch_data_samples['unsup_teacher'])
        student_samples = self.project_pseudo_instances(
            pseudo, multi_batch_data_samples['unsup_student'])
        pseudo_losses = self.loss_by_pseudo_instances(
            multi_batch_inputs['unsup_student'], student_samples)
        return self.loss_norm(human, pseudo_losses)

    def loss_by_gt_instances(self, batch_inputs: Tensor,
                             batch_data_samples: SampleList) -> dict:
        """Student loss on human labels; (B_h, C, H, W) input, raw keys."""
        return self.student.loss(batch_inputs, batch_data_samples)

    def loss_by_pseudo_instances(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                                 batch_info: Optional[dict] = None) -> dict:
        """Student loss on projected pseudo labels; (B_u, C, H, W), raw keys."""
        return self.student.loss(batch_inputs, batch_data_samples)

    @torch.no_grad()
    def get_pseudo_instances(self, batch_inputs: Tensor, batch_data_samples: SampleList
                             ) -> Tuple[SampleList, dict]:
        """Teacher predictions on the weak view (B_u, C, H, W), kept when
        score >= ``score_thr`` (a float, or a list with one value per class), in
        the teacher view's pixel frame."""
        self.teacher.eval()
        results = self.teacher.predict(batch_inputs, batch_data_samples, rescale=False)
        thr = self.semi_train_cfg['score_thr']  # one value, or one per class
        for samples, result in zip(batch_data_samples, results):
            pred = result.pred_instances
            samples.gt_instances = pred[keep_mask(pred.scores, pred.labels, thr)]
        return batch_data_samples, {}

    def project_pseudo_instances(self, batch_pseudo_instances: SampleList,
                                 batch_data_samples: SampleList) -> SampleList:
        """Move pseudo boxes and masks from the teacher's view to the
        student's: ``H_student @ inv(H_teacher)``; clip, drop tiny boxes."""
        for pseudo, samples in zip(batch_pseudo_instances, batch_data_samples):
            matrix = torch.as_tensor(samples.homography_matrix, dtype=torch.float64) @ \
                torch.linalg.inv(torch.as_tensor(pseudo.homography_matrix, dtype=torch.float64))
            inst = copy.deepcopy(pseudo.gt_instances)
            h, w = samples.img_shape[:2]
            inst.bboxes = bbox_project(inst.bboxes.double(), matrix.to(inst.bboxes.device),
                                       (h, w)).float()
            if 'masks' in inst:
                masks = warp_masks(inst.masks, matrix, (h, w))
                inst.masks = BitmapMasks(masks.cpu().numpy().astype(np.uint8), h, w)
            samples.gt_instances = inst
        return filter_gt_instances(batch_data_samples,
                                   wh_thr=self.semi_train_cfg['min_pseudo_bbox_wh'])
