"""The per-config checks of each config family, run by
``tests/test_configs.py::test_config_builds`` on the config it has parsed
(one test per config runs every check that applies to it)."""
import os.path as osp
import re
from typing import Callable, List


def _bbox_heads(model):
    heads = model.roi_head.bbox_head
    return heads if isinstance(heads, list) else [heads]  # Cascade: one per stage


def _norm_places(model):
    places = dict(backbone=model.backbone.norm_cfg, neck=model.neck.norm_cfg)
    for i, head in enumerate(_bbox_heads(model)):
        places[f'bbox_head{i}'] = head.norm_cfg
    if 'mask_head' in model.roi_head:
        places['mask_head'] = model.roi_head.mask_head.norm_cfg
    return places


def rethink_norm_in_every_place(path, cfg):
    """He et al.: GN or SyncBN in backbone, neck and every head, trained (not frozen)."""
    norm = 'GN' if '_gn-all_' in path else 'SyncBN'
    places = _norm_places(cfg.model)
    stages = 3 if 'cascade' in path else 1
    assert len(places) == 2 + stages + ('mask-rcnn' in path)
    for where, norm_cfg in places.items():
        assert norm_cfg['type'] == norm, where
        if norm == 'GN':
            assert norm_cfg['num_groups'] == 32, where
    assert {h.type for h in _bbox_heads(cfg.model)} == {'Shared4Conv1FCBBoxHead'}
    assert cfg.model.backbone.frozen_stages == -1
    assert cfg.model.backbone.norm_eval is False
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0.0
    # the paper's 35k-image runs use lr 0.04
    assert cfg.optim_wrapper.optimizer.lr == (0.04 if '_coco-35k' in path else 0.02)
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_dataloader.batch_size == 2


def rethink_init_matches_name(path, cfg):
    """He et al.: random init for -scratch_, the right ImageNet checkpoint otherwise."""
    init_cfg = cfg.model.backbone.get('init_cfg')
    if '-scratch_' in path:  # random init (VGG-16: its MSRA default, no init_cfg)
        assert init_cfg is None
        assert 'Pretrained' not in cfg.model.pretty_text if hasattr(cfg.model, 'pretty_text') \
            else 'Pretrained' not in str(cfg.model)
    elif '_x152-' in path:  # no offline checkpoint: a path the user sets
        assert init_cfg == dict(type='SafePretrained',
                                checkpoint='checkpoints/x152-32x8d_gn_in1k.pth')
    elif '_vgg16-' in path:
        assert init_cfg == dict(type='SafePretrained', checkpoint='torchvision://vgg16')
    else:
        assert init_cfg['type'] == 'SafePretrained'
        depth = cfg.model.backbone.depth
        expected = (f'open-mmlab://detectron/resnet{depth}_gn' if '_gn-all_' in path
                    else f'torchvision://resnet{depth}')
        assert init_cfg['checkpoint'] == expected


TS_NAME = re.compile(r'ts-(ema|fixed)_(faster-rcnn|retinanet|mask-rcnn)_r50-in1k_fpn_bn_8xb5-'
                  r'(\d+)k_coco-(\d+pct-fold1|unlabeled2017)\.py')
TS_TYPES = {'faster-rcnn': 'FasterRCNN', 'retinanet': 'RetinaNet', 'mask-rcnn': 'MaskRCNN'}


def teacher_student_holds_what_its_name_says(path, cfg):
    """Online teacher-student: the name's teacher, detector, schedule and SoftTeacher split."""
    kind, det, kiters, data = TS_NAME.fullmatch(osp.basename(path)).groups()
    assert cfg.model.type == 'TeacherStudentDetector' and cfg.model.teacher_kind == kind
    assert cfg.model.detector.type == TS_TYPES[det]
    assert cfg.model.detector.backbone.style == 'caffe'
    assert cfg.model.semi_train_cfg.score_thr == 0.5
    assert cfg.train_cfg.multiplier * 90 == int(kiters)
    loader = cfg.train_dataloader
    assert loader.batch_size == 5 and loader.sampler.source_ratio == [1, 4]
    human, pseudo = loader.dataset.human, loader.dataset.pseudo
    if data == 'unlabeled2017':
        assert human.ann_file == 'annotations/instances_train2017.json'
        assert pseudo.type == 'ImageFolderDataset'
    else:
        pct = data.split('pct')[0]
        assert human.ann_file == f'semi_anns/instances_train2017.1@{pct}.json'
        assert pseudo.ann_file == f'semi_anns/instances_train2017.1@{pct}-unlabeled.json'
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert ('MeanTeacherHook' in hooks) == (kind == 'ema')
    assert (cfg.model.get('teacher_checkpoint') is not None) == (kind == 'fixed')
    masks = [t for t in human.pipeline if t['type'] == 'LoadAnnotations'][0].get('with_mask')
    assert bool(masks) == (det == 'mask-rcnn')


VOC_NAME = re.compile(r'(sup|nst)_(deeplabv3plus|fpn)_r50-(scratch|in1k)_(d8|fpn)_'
                      r'(gn-all|syncbn-all)_4xb(\d)-(\d)x-(s\d)_voc12aug-512x512(-unlabeled)?\.py')


def _norms(cfg):
    return {cfg.backbone.norm_cfg.type, cfg.decode_head.norm_cfg.type} | \
        ({cfg.neck.norm_cfg.type} if 'neck' in cfg else set())


def _strengths(dataset):
    parts = dataset.get('datasets') or [dataset.get('human'), dataset.get('pseudo')]
    leaves = [d for p in parts if p for d in (p.get('datasets') or [p])]
    return {t['strength'] for d in leaves for t in d.pipeline if 'StrengthAugment' in t['type']}


def voc_seg_holds_what_its_name_says(path, cfg):
    """PASCAL VOC segmentation: the name's method, norm, init, schedule, strength, batch."""
    method, model, init, _, norm, batch, mult, strength, unl = \
        VOC_NAME.fullmatch(osp.basename(path)).groups()
    seg = cfg.model.segmentor if method == 'nst' else cfg.model
    assert cfg.model.type == ('NoisyStudentSegmentor' if method == 'nst' else 'EncoderDecoder')
    assert _norms(seg) == {'GN' if norm == 'gn-all' else 'SyncBN'}
    init_cfg = seg.backbone.get('init_cfg') or {}
    assert seg.get('pretrained') is None  # mmseg's key would load through torch.hub
    assert (init_cfg.get('type') == 'SafePretrained') == (init == 'in1k')
    assert cfg.train_cfg.multiplier == int(mult) and cfg.train_cfg.base_iters == 40000
    assert _strengths(cfg.train_dataloader.dataset) == {strength.upper()}
    assert cfg.train_dataloader.batch_size == int(batch)
    assert bool(unl) == (method == 'nst')
    if method == 'nst':
        assert cfg.train_dataloader.sampler.source_ratio == [1, 1]


def checks_for(path: str) -> List[Callable]:
    """The family checks that apply to the config at ``path``."""
    folder, name = osp.basename(osp.dirname(path)), osp.basename(path)
    if folder == 'rethink_imagenet' and name.startswith('sup_'):
        return ([] if '_nonorm_' in name else [rethink_norm_in_every_place]) + \
            [rethink_init_matches_name]
    return {'teacher_student': [teacher_student_holds_what_its_name_says],
            'voc_seg': [voc_seg_holds_what_its_name_says]}.get(folder, [])
