"""Every config under configs/ loads, and its model and pipelines build."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope, init_default_scope

from projects.utils import load_config
from tools.lib.data_check import check_train_sampler, walk_datasets
from tests.config_checks import checks_for
from tests.conftest import ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
                 # studies/ hold run_study.py grids, not training configs
                 if not {'_base_', 'studies'} & set(p.split(osp.sep)))
_BUILT_MODELS = {}


def _num_classes(model) -> int:
    head = getattr(model, 'bbox_head', None) or getattr(model, 'decode_head', None) or \
        model.roi_head.bbox_head
    head = head[-1] if isinstance(head, torch.nn.ModuleList) else head  # Cascade stages
    return head.num_classes


def _tiny_batch(model, size: int = 64):
    """Two generated images with two boxes (and masks) or a label map each."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData, PixelData
    from mmseg.structures import SegDataSample
    n_cls, gen = _num_classes(model), torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for i in range(2):
        inputs.append(torch.randint(0, 256, (3, size, size), generator=gen, dtype=torch.uint8))
        meta = dict(img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0))
        if hasattr(model, 'decode_head'):
            seg = torch.randint(0, n_cls, (1, size, size), generator=gen)
            samples.append(SegDataSample(gt_sem_seg=PixelData(data=seg), metainfo=meta))
            continue
        boxes = torch.tensor([[4., 6., 40., 44.], [20., 16., 60., 58.]])
        inst = InstanceData(bboxes=boxes, labels=torch.tensor([0, 1 % n_cls]))
        masks = np.zeros((2, size, size), np.uint8)
        for k, (x1, y1, x2, y2) in enumerate(boxes.int().tolist()):
            masks[k, y1:y2, x1:x2] = 1
        inst.masks = BitmapMasks(masks, size, size)
        head = getattr(getattr(model, 'roi_head', None), 'keypoint_head', None)
        if head is not None:  # K visible keypoints inside each box
            k = head.num_keypoints
            frac = torch.rand(2, k, 2, generator=gen)
            xy = boxes[:, None, :2] + frac * (boxes[:, None, 2:] - boxes[:, None, :2])
            inst.keypoints = torch.cat([xy, torch.full((2, k, 1), 2.0)], -1)
        samples.append(DetDataSample(gt_instances=inst, metainfo=meta))
    return dict(inputs=inputs, data_samples=samples)


def small_batch_settings(node):
    """The model config with cheap training-time settings and the same
    parameters: RoI/anchor samplers draw at most 16 samples (a 4conv1fc head on
    512 RoIs is most of a CPU step) and segmentation inputs are not padded to
    the crop size."""
    if isinstance(node, dict):
        node = {k: small_batch_settings(v) for k, v in node.items()}
        if 'num' in node and 'pos_fraction' in node:
            node['num'] = min(node['num'], 16)
        if node.get('type') == 'SegDataPreProcessor':
            node['size'], node['size_divisor'] = None, 32
        return node
    if isinstance(node, (list, tuple)):
        return type(node)(small_batch_settings(v) for v in node)
    return node


def _joint_loss(model):
    """A JointTrainingDetector's loss on the tiny batch (every detection part)
    and two labelled classification images."""
    from mmdet.structures import DetDataSample
    det = getattr(model.detector, 'student', model.detector)
    batch = det.data_preprocessor(_tiny_batch(det), True)
    parts = ['human', 'pseudo'] if model.student_detector else ['human']
    inputs = {b: batch['inputs'] for b in parts + ['classify']}
    samples = {b: batch['data_samples'] for b in parts}
    samples['classify'] = [DetDataSample(metainfo=dict(gt_label=i)) for i in range(2)]
    return model.parse_losses(model.loss(inputs, samples))[0]


def check_every_parameter_learns(model) -> int:
    """One forward/backward of the trainable network on a tiny batch; every
    parameter that requires a gradient must get one (DDP fails otherwise).

    Wrappers (offline student, teacher-student) train their ``student``; their
    other parameters (the teacher) must not require gradients. Returns the
    trainable parts of the network (``backbone``, ``neck``, ``bbox_head`` ...)."""
    from mmengine.model import revert_sync_batchnorm
    model = revert_sync_batchnorm(model)  # SyncBN needs a process group
    model.train()
    if hasattr(model, 'cls_head'):  # joint training: detection + classification parts
        _joint_loss(model).backward()
    else:
        net = getattr(model, 'student', model)
        data = net.data_preprocessor(_tiny_batch(net), True)
        loss, _ = net.parse_losses(net(**data, mode='loss'))
        loss.backward()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    missing = [n for n, p in trainable if p.grad is None]
    assert not missing, f'{len(missing)} trainable parameters get no gradient: {missing[:5]}'
    # the part below the wrapper: student.backbone.x -> backbone
    return {n.split('.')[1] if n.startswith(('student.', 'detector.', 'segmentor.'))
            else n.split('.')[0] for n, _ in trainable}


def test_configs_found():
    """The generated self-training grid is on disk exactly, beside the other studies."""
    from tools.misc.gen_self_training_configs import render
    found = {osp.relpath(p, ROOT).split(osp.sep)[1] for p in CONFIGS}
    assert {'demo', 'rethink_imagenet', 'self_training', 'voc_seg', 'bccd', 'coco128',
            'teacher_student'} <= found
    grid = {osp.basename(p) for p in CONFIGS
            if osp.dirname(p).endswith(osp.sep + 'self_training')}
    assert grid == set(render()[0]) and len(grid) == 144  # 96 cells + 48 ImageNet twins
    # online teacher-student: 3 detectors x (1, 2, 5, 10 % folds + full) EMA, + a fixed teacher each
    assert sum(osp.basename(osp.dirname(p)) == 'teacher_student' for p in CONFIGS) == 18
    families = {f.__name__ for p in CONFIGS for f in checks_for(p)}
    assert len(families) == 4, families  # every family check runs on some config


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds(path):
    """One test per config: it loads, its model learns everywhere (built once per
    distinct model), its sampler and pipelines build, and its family's checks hold."""
    cfg = load_config(path)
    for check in checks_for(path):
        check(path, cfg)
    _check_registered_components(cfg)
    _check_model_and_pipelines(cfg)


def _types(node):
    """Every ``type`` value in a nested config."""
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield node['type'].split('.')[-1]
        node = list(node.values())
    if isinstance(node, (list, tuple)):
        for value in node:
            yield from _types(value)


def _check_registered_components(cfg):
    """Ours run through the components they name: our runner (switches, safe
    loading), atomic checkpoints, safe image loading, safe backbone init."""
    assert cfg.runner_type == 'RethinkRunner'
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert cfg.custom_imports.imports == ['projects.register']
    data = [cfg.get(k) for k in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                                 'tta_pipeline')]
    assert 'LoadImageFromFile' not in set(_types(data)), \
        'a pipeline loads images without SafeLoadImageFromFile'
    assert 'Pretrained' not in set(_types(cfg.model)), \
        'init_cfg=Pretrained reads URLs with weights_only=False'
    assert not isinstance(cfg.model.get('pretrained'), str), 'use backbone.init_cfg=SafePretrained'
    _check_one_student_split(cfg)
    # iteration-based schedules train from a sampler that never runs out (issue #35 item 5)
    sampler = str(cfg.train_dataloader.sampler.type).split('.')[-1]
    assert sampler in ('InfiniteSampler', 'MultiSourceSampler', 'GroupMultiSourceSampler'), sampler


def _check_one_student_split(cfg):
    """Students and joint training split human from pseudo (and classification)
    data one way: HumanPseudoDataset's source tags, SourceSplitDataPreprocessor;
    only the online teacher-student keeps mmdet's MultiBranch views."""
    model_type = str(cfg.model.type).split('.')[-1]
    if model_type not in ('NoisyStudentDetector', 'NoisyStudentSegmentor',
                          'JointTrainingDetector'):
        return
    assert cfg.train_dataloader.dataset.type == 'HumanPseudoDataset'
    assert str(cfg.train_dataloader.sampler.type).endswith('MultiSourceSampler')
    assert 'MultiBranch' not in set(_types(cfg.train_dataloader))
    assert cfg.model.get('data_preprocessor') in (None, {}) or \
        cfg.model.data_preprocessor.type == 'SourceSplitDataPreprocessor'


def _check_model_and_pipelines(cfg):
    scope = cfg.get('default_scope', 'mmdet')
    init_default_scope(scope)
    with DefaultScope.overwrite_default_scope(scope):
        from mmengine.registry import MODELS
        key = cfg.model.pretty_text if hasattr(cfg.model, 'pretty_text') else str(cfg.model)
        if key not in _BUILT_MODELS:  # identical models are built once
            model = MODELS.build(ConfigDict(small_batch_settings(cfg.model.to_dict())))
            _BUILT_MODELS[key] = check_every_parameter_learns(model)
        parts = _BUILT_MODELS[key]  # a backbone and a head learn, wherever they sit
        assert 'backbone' in parts and parts & {'bbox_head', 'rpn_head', 'roi_head',
                                                'decode_head'}, parts
        check_train_sampler(cfg)  # half/half batches are not regrouped
        for loader in ('train_dataloader', 'val_dataloader'):
            if cfg.get(loader) is None:
                continue
            for dataset, leaf in walk_datasets(cfg[loader]['dataset']):
                if not leaf:  # wrappers hold no pipeline
                    continue
                pipeline = Compose(dataset['pipeline'])
                assert len(pipeline.transforms) > 0, f'{loader} pipeline is empty'


# (fair student, supervised baseline, half-batch ablation): #17's fair comparison
_FAIR = [
    ('configs/bccd/nst_retinanet_mobilenetv2-{}_1xb16-1x-s1_bccd-lab50.py',
     'configs/bccd/retinanet_mobilenetv2-{}_1xb8-1x_bccd.py',
     'configs/bccd/nst_retinanet_mobilenetv2-{}_1xb8-1x-s1_bccd-lab50.py',
     ('scratch_fpn_gn-all', 'in1k_fpn_bn')),
    ('configs/coco128/nst_mask-rcnn_mobilenetv2-{}_1xb8-1x-s1_coco128-4cls-unlabeled128.py',
     'configs/coco128/mask-rcnn_mobilenetv2-{}_1xb4-1x_coco128-4cls.py',
     'configs/coco128/nst_mask-rcnn_mobilenetv2-{}_1xb4-1x-s1_coco128-4cls-unlabeled128.py',
     ('scratch_fpn_gn-all', 'in1k_fpn_bn')),
    ('configs/demo/nst_retinanet_r18w32-{}_1xb16-600i-s1_demo-lab50.py',
     'configs/demo/sup_retinanet_r18w32-{}_1xb8-600i_demo-lab50.py',
     'configs/demo/nst_retinanet_r18w32-{}_1xb8-600i-s1_demo-lab50.py',
     ('scratch_fpn_gn-all',)),
]


@pytest.mark.parametrize('student,baseline,half,variant',
                         [(s, b, h, v) for s, b, h, vs in _FAIR for v in vs])
def test_student_sees_as_many_human_images_per_step_as_its_baseline(student, baseline, half,
                                                                    variant):
    from projects.utils import load_config
    s, b, h = (load_config(osp.join(ROOT, p.format(variant))) for p in (student, baseline, half))
    sampler = s.train_dataloader.sampler
    human = sampler.batch_size * sampler.source_ratio[0] // sum(sampler.source_ratio)
    assert human == b.train_dataloader.batch_size  # the baseline's batch, all human
    assert sampler.batch_size - human == human  # plus as many pseudo images
    assert s.train_dataloader.batch_size == sampler.batch_size
    assert s.optim_wrapper.optimizer == b.optim_wrapper.optimizer  # the same LR recipe
    assert s.train_cfg == b.train_cfg  # the same iterations and drops
    assert h.train_dataloader.sampler.batch_size * 2 == sampler.batch_size  # the ablation: half
