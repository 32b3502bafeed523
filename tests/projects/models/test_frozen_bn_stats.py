"""BN running statistics of students and joint training come from labelled
detection batches only (issue #34 item 4)."""
import copy

import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from torch import nn

from projects.models.frozen_bn_stats import frozen_bn_stats

RETINA = dict(
    type='RetinaNet',
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.],
                           bgr_to_rgb=False, pad_size_divisor=32),
    backbone=dict(type='ResNet', depth=18, base_channels=8, num_stages=4, out_indices=(1, 2, 3),
                  norm_cfg=dict(type='BN'), norm_eval=False),
    neck=dict(type='FPN', in_channels=[16, 32, 64], out_channels=16, start_level=0,
              add_extra_convs='on_input', num_outs=3),
    bbox_head=dict(type='RetinaHead', num_classes=2, in_channels=16, stacked_convs=1,
                   feat_channels=16,
                   anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4,
                                         scales_per_octave=1, ratios=[1.0], strides=[8, 16, 32]),
                   bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                                   target_stds=[1.0, 1.0, 1.0, 1.0]),
                   loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                                 loss_weight=1.0),
                   loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4,
                                 min_pos_iou=0, ignore_iof_thr=-1),
                   sampler=dict(type='PseudoSampler'), allowed_border=-1, pos_weight=-1,
                   debug=False),
    test_cfg=dict(nms_pre=100, min_bbox_size=0, score_thr=0.05,
                  nms=dict(type='nms', iou_threshold=0.5), max_per_img=10))


def _batch(level: float, n: int = 2, label=None):
    """(n, 3, 64, 64) inputs around ``level`` and samples with one box each."""
    torch.manual_seed(int(level))
    inputs = level + torch.randn(n, 3, 64, 64)
    samples = []
    for i in range(n):
        s = DetDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64),
                                        pad_shape=(64, 64), batch_input_shape=(64, 64),
                                        scale_factor=(1.0, 1.0), gt_label=i % 3))
        s.gt_instances = InstanceData(bboxes=torch.tensor([[8., 8., 40., 40.]]),
                                      labels=torch.tensor([label if label is not None else 0]))
        samples.append(s)
    return inputs, samples


def _stats(model):
    return {k: v.clone() for k, v in model.state_dict().items()
            if k.endswith(('running_mean', 'running_var', 'num_batches_tracked'))}


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_inside_the_context_batches_train_but_statistics_stay():
    bn = nn.BatchNorm2d(3)
    before = _stats(bn)
    with frozen_bn_stats(bn):
        out = bn.train()(torch.randn(4, 3, 8, 8) * 5 + 7)
    assert _same(_stats(bn), before) and bn.momentum == 0.1
    assert abs(float(out.mean())) < 1e-5  # normalised with the batch's own statistics


def test_joint_training_keeps_the_statistics_of_its_detection_batches():
    init_default_scope('mmdet')
    joint = MODELS.build(dict(type='JointTrainingDetector', detector=RETINA,
                              cls_head=dict(in_channels=64, num_classes=3))).train()
    plain = copy.deepcopy(joint.detector).train()  # the same detector, detection batches only
    for step in range(3):
        det, cls = _batch(0.0 + step), _batch(50.0 + step)  # classification crops far brighter
        joint.loss(dict(human=det[0], classify=cls[0]), dict(human=det[1], classify=cls[1]))
        plain.loss(*det)
    assert _same(_stats(joint.detector), _stats(plain))
    # the classification forward did train through BN: its loss reached the backbone
    assert float(joint.loss_by_classification(*_batch(50.0))['joint_cls_loss']) > 0


def test_the_students_statistics_are_its_human_batches():
    init_default_scope('mmdet')
    student = MODELS.build(dict(type='NoisyStudentDetector', detector=RETINA)).train()
    plain = copy.deepcopy(student.student).train()
    for step in range(3):
        human, pseudo = _batch(0.0 + step), _batch(30.0 + step, label=1)
        student.loss(dict(human=human[0], pseudo=pseudo[0]),
                     dict(human=human[1], pseudo=pseudo[1]))
        plain.loss(*human)
    assert _same(_stats(student.student), _stats(plain))
    mixed = MODELS.build(dict(type='NoisyStudentDetector', detector=RETINA,
                              pseudo_updates_bn=True)).train()
    mixed.load_state_dict(MODELS.build(dict(type='NoisyStudentDetector', detector=RETINA))
                          .state_dict())
    human, pseudo = _batch(0.0), _batch(30.0, label=1)
    mixed.loss(dict(human=human[0], pseudo=pseudo[0]), dict(human=human[1], pseudo=pseudo[1]))
    assert float(mixed.student.backbone.bn1.running_mean.mean()) != \
        float(plain.backbone.bn1.running_mean.mean())
