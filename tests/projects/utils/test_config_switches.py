"""One-value switches: a one-line child (or --cfg-options) reaches every pipeline."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from projects.utils import load_config
from projects.utils.config_switches import apply_switches, resolve_switches
from projects.utils.errors import UserInputError
from tests.conftest import ROOT

# every student (Noisy-Student offline, online teacher-student) config with a
# StrengthAugment; of the generated COCO grid, its two S1 roots and the
# children below them (strength children are checked by the generator test)
STUDENTS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if osp.basename(p).startswith(('nst_', 'ts-')) and '/self_training/' not in p
    and '/teacher_student/' not in p) + [
    osp.join(ROOT, 'configs/self_training', f'nst_{m}_8xb4-3x-s1_coco-unlabeled.py')
    for m in ('retinanet_r50-scratch_fpn_syncbn-all', 'mask-rcnn_r50-scratch_fpn_gn-all')]
SUPERVISED = [osp.join(ROOT, p) for p in (
    'configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py',
    'configs/coco128/mask-rcnn_mobilenetv2-scratch_fpn_gn-all_1xb4-1x_coco128-4cls.py',
    'configs/self_training/sup_retinanet_r50-scratch_fpn_syncbn-all_8xb2-3x-s1_coco.py',
    'configs/voc_seg/sup_fpn_r50-scratch_fpn_gn-all_4xb4-4x-s1_voc12aug-512x512.py')]


def _child(tmp_path, base, line):
    path = tmp_path / 'child.py'
    path.write_text(f'_base_ = {base!r}\n{line}\n')
    return str(path)


def _steps(node, kinds=('StrengthAugment',)):
    """Every pipeline step under node whose type ends with one of ``kinds``."""
    if isinstance(node, dict):
        if str(node.get('type', '')).endswith(kinds):
            yield node
        node = list(node.values())
    if isinstance(node, (list, tuple)):
        for value in node:
            yield from _steps(value, kinds)


def _built(aug_cfg):
    from mmdet.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmdet'):
        return TRANSFORMS.build(dict(aug_cfg, type='StrengthAugment'))


@pytest.mark.parametrize('config', STUDENTS + SUPERVISED, ids=osp.basename)
def test_one_line_strength_child_switches_every_pipeline(tmp_path, config):
    assert Config.fromfile(config).strength in ('S1', 'S4')
    cfg = resolve_switches(Config.fromfile(_child(tmp_path, config, "strength = 'S3'")))
    augments = list(_steps(cfg.train_dataloader))
    n_expected = 2 if osp.basename(config).startswith('nst_') else 1
    assert len(augments) >= n_expected  # human and pseudo pipelines of a student
    for aug in augments:
        built = _built(aug)
        assert built.strength == 'S3'
        steps = [type(t).__name__ for t in built.transforms.transforms]
        assert steps[0] == 'DetectionAutoAugment' and 'RandomResize' in steps
        jitter = built.transforms.transforms[1].ratio_range
        assert tuple(jitter) == (0.5, 2.0)  # S3's large scale jitter


def test_the_old_dict_child_is_refused_in_one_line(tmp_path):
    # the trap: a dict-valued `strength` in a child used to leave both pipelines at S1
    child = _child(tmp_path, STUDENTS[0], "strength = dict(type='StrengthAugment', "
                                          "strength='S3', scale=(64, 64))")
    with pytest.raises(UserInputError, match='strength=.* cannot inherit from base'):
        load_config(child)
    with pytest.raises(UserInputError, match="'strength' must be one of S1, S2, S3, S4"):
        apply_switches(Config(dict(strength=dict(strength='S3'))))


def test_cfg_options_strength_reaches_both_student_pipelines():
    config = osp.join(ROOT, 'configs/bccd/'
                      'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x-s1_bccd-lab50.py')
    cfg = load_config(config, {'strength': 'S4'})
    data = cfg.train_dataloader.dataset
    assert data.human.pipeline[2].strength == data.pseudo.pipeline[2].strength == 'S4'
    assert type(_built(data.human.pipeline[2]).transforms.transforms[0]).__name__ == \
        'DetectionRandAugment'


def test_pseudo_strength_switches_the_pseudo_half_only(tmp_path):
    config = osp.join(ROOT, 'configs/bccd/'
                      'nst_retinanet_mobilenetv2-in1k_fpn_bn_1xb16-1x-s1_bccd-lab50.py')
    assert Config.fromfile(config).pseudo_strength is None  # follows strength
    # given together on the command line, in either order: human S2, pseudo S1
    for options in ({'strength': 'S2', 'pseudo_strength': 'S1'},
                    {'pseudo_strength': 'S1', 'strength': 'S2'}):
        data = load_config(config, options).train_dataloader.dataset
        assert (data.human.pipeline[2].strength, data.pseudo.pipeline[2].strength) == \
            ('S2', 'S1'), options
    # set in a child, it survives a later --cfg-options strength (which resets both halves)
    child = _child(tmp_path, config, "pseudo_strength = 'S4'")
    data = load_config(child, {'strength': 'S3'}).train_dataloader.dataset
    assert (data.human.pipeline[2].strength, data.pseudo.pipeline[2].strength) == ('S3', 'S4')
    with pytest.raises(UserInputError, match="'pseudo_strength' must be one of S1"):
        load_config(config, {'pseudo_strength': 'S5'})
    sup = osp.join(ROOT, 'configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py')
    with pytest.raises(UserInputError, match='no pseudo-labelled half'):
        load_config(sup, {'pseudo_strength': 'S1'})


def test_alpha_and_score_thr_are_one_value(tmp_path):
    nst = osp.join(ROOT, 'configs/demo/'
                   'nst_mask-rcnn_r18w32-scratch_fpn_gn-all_1xb4-40i-s1_coco128-unlabeled128.py')
    assert resolve_switches(Config.fromfile(_child(tmp_path, nst, 'alpha = 0.25'))
                            ).model.loss_norm.alpha == 0.25
    ts = osp.join(ROOT, 'configs/demo/'
                  'ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')
    cfg = load_config(ts, {'score_thr': 0.7, 'alpha': 2.0})
    assert cfg.model.semi_train_cfg.score_thr == 0.7 and cfg.model.loss_norm.alpha == 2.0
    with pytest.raises(UserInputError, match="'alpha' must be a number"):
        apply_switches(Config(dict(alpha='high')))


def test_a_switch_that_governs_nothing_is_one_line(tmp_path):
    """The offline threshold lives on the labelling side: set on an offline student
    (or a supervised config), score_thr governs nothing there and says where it goes."""
    nst = osp.join(ROOT, 'configs/bccd/'
                   'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb16-1x-s1_bccd-lab50.py')
    assert 'score_thr' not in Config.fromfile(nst)
    for config, options in ((nst, {'score_thr': 0.7}),
                            (_child(tmp_path, nst, 'score_thr = 0.7'), None)):
        with pytest.raises(UserInputError) as e:
            load_config(config, options)
        assert str(e.value).startswith("config sets score_thr=0.7, which governs nothing here: "
                                       'no online teacher')
        assert 'tools/self_train.py --score-thr' in str(e.value) and '\n' not in str(e.value)
    sup = osp.join(ROOT, 'configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py')
    with pytest.raises(UserInputError, match='alpha=2.0, which governs nothing here: no '
                       'LossNormalizer'):
        load_config(sup, {'alpha': 2.0})
    with pytest.raises(UserInputError, match='cls_weight=0.5, which governs nothing here'):
        load_config(sup, {'cls_weight': 0.5})


def test_the_offline_threshold_default_is_written_once():
    import subprocess
    from projects.utils.score_thresholds import DEFAULT_SCORE_THR
    assert DEFAULT_SCORE_THR == 0.5
    offline = ['tools/pseudo_label.py', 'tools/pseudo_mask.py', 'tools/self_train.py',
               'tools/run_study.py', 'projects/selftrain', 'projects/apis'] + sorted(
        osp.relpath(p, ROOT) for p in glob.glob(osp.join(ROOT, 'configs', '**', 'nst_*.py'),
                                                recursive=True))
    found = subprocess.run(['grep', '-rnE', r"score_thr\W+0\.5|score-thr', .*0\.5|"
                            r"conf-thr', .*0\.5|get\('score_thr', 0\.5\)", *offline],
                           cwd=ROOT, capture_output=True, text=True).stdout
    assert found == '', found


def test_student_batch_is_the_sampler_batch():
    config = osp.join(ROOT, 'configs/bccd/'
                      'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x-s1_bccd-lab50.py')
    # used to crash at the first step: the DataLoader kept batch 8
    cfg = load_config(config, {'train_dataloader.sampler.batch_size': 16})
    assert cfg.train_dataloader.batch_size == 16
    with pytest.raises(UserInputError, match='sampler.batch_size must be an integer >= 2'):
        load_config(config, {'train_dataloader.sampler.batch_size': 1})


def test_strength_without_a_strength_step_is_refused():
    cfg = Config(dict(strength='S2', train_dataloader=dict(dataset=dict(pipeline=[]))))
    with pytest.raises(UserInputError, match='no StrengthAugment'):
        apply_switches(cfg)


def test_an_explicit_nested_override_is_kept():
    ts = osp.join(ROOT, 'configs/demo/'
                  'ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')
    cfg = load_config(ts, {'model.semi_train_cfg.score_thr': 0.0,
                           'model.loss_norm.alpha': 3.0})
    assert cfg.model.semi_train_cfg.score_thr == 0.0 and cfg.model.loss_norm.alpha == 3.0


def test_the_dataloader_batch_alone_sets_the_student_batch():
    config = osp.join(ROOT, 'configs/bccd/'
                      'nst_retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x-s1_bccd-lab50.py')
    cfg = load_config(config, {'train_dataloader.batch_size': 4})
    assert cfg.train_dataloader.sampler.batch_size == 4 == cfg.train_dataloader.batch_size
    with pytest.raises(UserInputError, match='differ; the student batch is one value'):
        load_config(config, {'train_dataloader.batch_size': 4,
                             'train_dataloader.sampler.batch_size': 6})


def test_score_thresholds_per_class():
    from projects.utils.score_thresholds import check_score_thr, keep_mask
    import torch
    scores, labels = torch.tensor([0.9, 0.4, 0.6, 0.2]), torch.tensor([0, 1, 1, 2])
    assert keep_mask(scores, labels, 0.5).tolist() == [True, False, True, False]
    assert keep_mask(scores, labels, [0.95, 0.3, 0.1]).tolist() == [False, True, True, True]
    assert check_score_thr([0.5], ['a', 'b']) == 0.5
    with pytest.raises(UserInputError, match='one per class'):
        check_score_thr([0.1, 0.2, 0.3], ['a', 'b'])
    with pytest.raises(UserInputError, match=r'in \[0, 1\]'):
        check_score_thr([1.5], ['a'])
    ts = osp.join(ROOT, 'configs/demo/'
                  'ts-ema_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_demo-lab50.py')
    cfg = load_config(ts, {'score_thr': [0.3, 0.5, 0.7]})
    assert cfg.model.semi_train_cfg.score_thr == [0.3, 0.5, 0.7]


def test_cls_weight_reaches_the_joint_detector(tmp_path):
    joint = osp.join(ROOT, 'configs/self_training/table7/'
                     'joint-nst_retinanet_r50-scratch_fpn_syncbn-all_8xb6-3x-s4_coco-imagenet-in1kcls.py')
    assert Config.fromfile(joint).model.cls_weight == 1.0
    assert resolve_switches(Config.fromfile(_child(tmp_path, joint, 'cls_weight = 0.3'))
                            ).model.cls_weight == 0.3


def _scales(node):
    """The scale of every Resize / StrengthAugment under node, in order."""
    return [tuple(step['scale']) for step in _steps(node, ('Resize', 'StrengthAugment'))
            if 'scale' in step]


BCCD = osp.join(ROOT, 'configs/bccd')
JOINT = osp.join(ROOT, 'configs/demo/joint_retinanet_r18w32-scratch_fpn_gn-all_1xb12-600i_'
                      'demo-lab50-cls.py')  # a classification branch at its own size


def test_img_scale_moves_training_validation_test_and_labelling():
    student = load_config(osp.join(BCCD, 'nst_retinanet_mobilenetv2-in1k_fpn_bn_1xb16-1x-s1_'
                                         'bccd-lab50.py'), {'img_scale': (448, 336)})
    data = student.train_dataloader.dataset
    assert data.human.pipeline[2].scale == data.pseudo.pipeline[2].scale == (448, 336)
    assert student.val_dataloader.dataset.pipeline[1].scale == (448, 336)
    # the supervised run is the teacher: pseudo_label.py labels with its test pipeline
    teacher = load_config(osp.join(BCCD, 'retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py'),
                          {'img_scale': [448, 336]})  # --cfg-options img_scale=448,336
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert set(_scales(teacher[key])) == {(448, 336)}, key
    assert Config.fromfile(osp.join(BCCD, 'retinanet_mobilenetv2-in1k_fpn_bn_1xb8-1x_bccd.py')
                           ).test_dataloader.dataset.pipeline[1].scale == (224, 168)


def test_one_line_img_scale_child_and_what_keeps_its_own_scale(tmp_path):
    cfg = resolve_switches(Config.fromfile(_child(tmp_path, JOINT, 'img_scale = (96, 80)')))
    det, cls = cfg.train_dataloader.dataset.human, cfg.train_dataloader.dataset.classify
    assert set(_scales(det)) == set(_scales(cfg.test_dataloader)) == {(96, 80)}
    assert list(_scales(cls)) == [(64, 64)]  # classification images keep their size
    tta = [dict(type='TestTimeAug', transforms=[[dict(type='Resize', scale=(1333, 640))]])]
    cfg = apply_switches(Config(dict(img_scale=(96, 80), test_dataloader=dict(
        dataset=dict(pipeline=[dict(type='Resize', scale=(128, 128))] + tta)))))
    assert list(_scales(cfg.test_dataloader)) == [(96, 80), (1333, 640)]


@pytest.mark.parametrize('value', [(448,), 'big', (448.0, 336), (0, 336)])
def test_bad_img_scale_is_one_line(value):
    with pytest.raises(UserInputError, match=r"'img_scale' must be \(width, height\)"):
        apply_switches(Config(dict(img_scale=value)))
    with pytest.raises(UserInputError, match='no dataloader pipeline has a StrengthAugment or '
                                             'Resize step'):
        apply_switches(Config(dict(img_scale=(96, 80), val_dataloader=dict(pipeline=[]))))


@pytest.mark.parametrize('config', STUDENTS + SUPERVISED + [JOINT], ids=osp.basename)
def test_img_scale_at_load_changes_nothing_the_config_states(config):
    """Every pipeline step already resizes to the config's img_scale: applying
    the switch when the file is loaded is a no-op (the switch only moves them
    together when a child or --cfg-options changes it)."""
    raw = Config.fromfile(config).to_dict()  # as written: nothing applied
    if 'img_scale' not in raw:
        return
    scale = raw.pop('img_scale')
    without = apply_switches(Config(raw)).to_dict()
    with_scale = apply_switches(Config(dict(raw, img_scale=scale))).to_dict()
    with_scale.pop('img_scale')
    assert with_scale == without


def test_max_bad_images_is_one_value(tmp_path):
    sup = osp.join(ROOT, 'configs/bccd/retinanet_mobilenetv2-scratch_fpn_gn-all_1xb8-1x_bccd.py')
    hooks = [h for h in load_config(sup, {'max_bad_images': 0.05}).custom_hooks
             if h.type == 'UnreadableImageHook']
    assert [h.max_bad_images for h in hooks] == [0.05]
    child = _child(tmp_path, sup, 'max_bad_images = 3')
    assert [h.max_bad_images for h in resolve_switches(Config.fromfile(child)).custom_hooks
            if h.type == 'UnreadableImageHook'] == [3]
    for bad in (1.5, -1, 'many'):
        with pytest.raises(UserInputError, match="'max_bad_images' must be a fraction"):
            load_config(sup, {'max_bad_images': bad})
    dropped = _child(tmp_path, sup, "custom_hooks = [dict(type='SyncBNFallbackHook')]")
    with pytest.raises(UserInputError, match='sets max_bad_images = None'):
        load_config(dropped)
    (tmp_path / 'ok.py').write_text(open(dropped).read() + 'max_bad_images = None\n')
    assert load_config(str(tmp_path / 'ok.py')).max_bad_images is None
