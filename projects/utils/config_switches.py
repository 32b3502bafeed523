"""One-value switches of a config: strength, pseudo_strength, img_scale, alpha, score_thr,
cls_weight, max_bad_images, the student batch.

A base config resolves ``strength = dict(...)`` into its pipelines when it is
parsed, so a child that changes the top-level value changes nothing it
trains. Instead, the top-level keys below are plain values, and
:func:`apply_switches` copies each into every place it governs after the
config (and any ``--cfg-options``) is merged:

* ``strength`` ('S1'-'S4'): every ``StrengthAugment`` in the training data;
* ``pseudo_strength`` ('S1'-'S4', or None to follow ``strength``): the
  ``StrengthAugment`` of a student's pseudo-labelled half only (the ``pseudo``
  dataset of its ``HumanPseudoDataset``), applied after ``strength``;
* ``img_scale`` ((width, height)): the ``scale`` of every ``StrengthAugment`` and
  ``Resize`` step of every dataloader's pipelines (train, val, test: what a
  teacher labels with too), so one value moves the whole input size;
  test-time augmentation (``TestTimeAug``) and classification images
  (``ClassFolderDataset``) keep their own scales;
* ``alpha`` (float): every ``LossNormalizer`` of the model;
* ``score_thr`` (float, or one per class): the online teacher's ``semi_train_cfg.score_thr``
  (an offline student's threshold belongs to the labelling: ``--score-thr`` of
  ``tools/self_train.py`` and ``tools/pseudo_label.py``, default
  :data:`projects.utils.score_thresholds.DEFAULT_SCORE_THR`);
* ``cls_weight`` (float): every ``JointTrainingDetector``'s classification loss weight;
* ``max_bad_images`` (a fraction in [0, 1) or a count): the ``UnreadableImageHook``
  of ``custom_hooks`` (our runtimes declare it, 0.01; None where a config's
  ``custom_hooks`` leave the hook out);
* the student's batch is ``train_dataloader.sampler.batch_size`` of its
  ``MultiSourceSampler``; the DataLoader's ``batch_size`` follows it.

Only a config that declares at least one of these top-level keys is
touched (ours); any other config (mmdet's, mmseg's) is returned unchanged.

When they are applied: :class:`~projects.engine.runner.RethinkRunner`
(``runner_type`` of our runtimes) applies them before it builds anything, so
plain ``Config.fromfile`` followed by ``RUNNERS.build(cfg)``, mmdet's own
``tools/train.py``/``tools/test.py`` and ours all train what the config says;
:class:`~projects.engine.runner.LongScheduleTrainLoop` applies them to the
data when a plain ``Runner.from_cfg`` skipped ``runner_type``. Each
application records what it applied under ``applied_switches`` (so the
dumped config shows it), and a later one applies again only the switches
whose value changed since (:func:`resolve_switches`): an explicit nested
override such as ``--cfg-options model.semi_train_cfg.score_thr=0.3`` is kept.

Torch-free; a bad value, or a switch that governs nothing in its config, is a
:class:`UserInputError` naming the key.
"""
from typing import Any, Iterator, Tuple

from .errors import UserInputError
from .unreadable_images import is_bad_image_limit

STRENGTHS = ('S1', 'S2', 'S3', 'S4')


def _kind(d: dict) -> str:
    """A config dict's registry type without its scope (``mmdet.Resize`` -> ``Resize``)."""
    kind = d.get('type')
    return kind.split('.')[-1] if isinstance(kind, str) else ''


def _dicts(node: Any, skip: Tuple[str, ...] = ()) -> Iterator[dict]:
    """Every dict in a nested structure of dicts and lists, parents first;
    a dict whose type is in ``skip`` is left out with everything under it."""
    if isinstance(node, dict):
        if _kind(node) in skip:
            return
        yield node
        for value in node.values():
            yield from _dicts(value, skip)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dicts(value, skip)


def _of_type(node: Any, type_name: str) -> Iterator[dict]:
    return (d for d in _dicts(node) if _kind(d) == type_name)


def _number(cfg, key: str) -> float:
    value = cfg[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserInputError(f'config key {key!r} must be a number (e.g. {key} = 0.5), '
                             f'got {value!r}')
    return float(value)


def _threshold(cfg):
    """``score_thr``: one number, or a list with one number per class."""
    value = cfg['score_thr']
    if isinstance(value, (list, tuple)) and value and \
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return [float(v) for v in value]
    return _number(cfg, 'score_thr')


def _strength(cfg, key: str) -> str:
    value = cfg[key]
    if value not in STRENGTHS:
        shown = 'a dict' if isinstance(value, dict) else repr(value)
        raise UserInputError(
            f"config key {key!r} must be one of {', '.join(STRENGTHS)} as a plain "
            f"string ({key} = 'S3' in a child config, or --cfg-options {key}=S3), "
            f'got {shown}; it switches every StrengthAugment of the training data'
            + (' of the pseudo-labelled half' if key == 'pseudo_strength' else ''))
    return value


def _apply_strength(cfg) -> None:
    value = _strength(cfg, 'strength')
    augments = list(_of_type(cfg.get('train_dataloader'), 'StrengthAugment'))
    if not augments:
        raise UserInputError(f'config sets strength={value!r} but its training data has no '
                             'StrengthAugment step to switch')
    for aug in augments:
        aug['strength'] = value


def _apply_pseudo_strength(cfg) -> None:
    """The pseudo-labelled half's ``StrengthAugment`` steps, after ``strength``."""
    value = _strength(cfg, 'pseudo_strength')
    loader = cfg.get('train_dataloader')
    dataset = loader.get('dataset') if isinstance(loader, dict) else None
    pseudo = dataset.get('pseudo') if isinstance(dataset, dict) and \
        _kind(dataset) == 'HumanPseudoDataset' else None
    augments = list(_of_type(pseudo, 'StrengthAugment'))
    if not augments:
        raise UserInputError(f'config sets pseudo_strength={value!r} but its training data has '
                             'no pseudo-labelled half (HumanPseudoDataset.pseudo) with a '
                             'StrengthAugment step to switch')
    for aug in augments:
        aug['strength'] = value


SCALED_STEPS = ('StrengthAugment', 'Resize')
SCALE_KEPT = ('TestTimeAug', 'ClassFolderDataset')


def _scale(cfg) -> tuple:
    value = cfg['img_scale']
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
        raise UserInputError(f"config key 'img_scale' must be (width, height), two positive "
                             f'integers (img_scale = (448, 336) in a child config, or '
                             f'--cfg-options img_scale=448,336), got {value!r}')
    return tuple(value)


def _scaled_steps(node: Any) -> Iterator[dict]:
    """The resizing steps under ``node``, not those of test-time augmentation
    (its own scales) nor of classification images (joint training)."""
    return (d for d in _dicts(node, skip=SCALE_KEPT) if _kind(d) in SCALED_STEPS and 'scale' in d)


def _apply_img_scale(cfg) -> None:
    scale = _scale(cfg)
    steps = [step for key in ('train_dataloader', 'val_dataloader', 'test_dataloader')
             for step in _scaled_steps(cfg.get(key))]
    if not steps:
        raise UserInputError(f'config sets img_scale={scale!r} but no dataloader pipeline has '
                             'a StrengthAugment or Resize step to resize with')
    for step in steps:
        step['scale'] = scale


LOADER_BATCH, SAMPLER_BATCH = 'train_dataloader.batch_size', 'train_dataloader.sampler.batch_size'


def _apply_student_batch(cfg, given=()) -> None:
    """One student batch: the sampler's, or the DataLoader's when only that was given."""
    loader = cfg.get('train_dataloader')
    sampler = loader.get('sampler') if isinstance(loader, dict) else None
    if not isinstance(sampler, dict) or _kind(sampler) != 'MultiSourceSampler':
        return
    if LOADER_BATCH in given and SAMPLER_BATCH not in given:
        sampler['batch_size'] = loader.get('batch_size')
    elif LOADER_BATCH in given and loader.get('batch_size') != sampler.get('batch_size'):
        raise UserInputError(f'{LOADER_BATCH}={loader.get("batch_size")} and '
                             f'{SAMPLER_BATCH}={sampler.get("batch_size")} differ; the student '
                             'batch is one value: give one of them')
    batch = sampler.get('batch_size')
    if not isinstance(batch, int) or batch < 2:
        raise UserInputError(f'{SAMPLER_BATCH} must be an integer >= 2 '
                             f'(human + pseudo images per step), got {batch!r}')
    loader['batch_size'] = batch


OFFLINE_THRESHOLD = ('no online teacher (semi_train_cfg.score_thr) in its model; an offline '
                     "student's pseudo-label threshold belongs to the labelling: "
                     'tools/self_train.py --score-thr, tools/pseudo_label.py --score-thr, or a '
                     "run_study.py run's score_thr")


def _governed(cfg, key: str, targets: list, why: str) -> list:
    """``targets``, or a one-line error: a switch that governs nothing is a mistake."""
    if not targets:
        raise UserInputError(f'config sets {key}={cfg[key]!r}, which governs nothing here: '
                             f'{why}')
    return targets


SWITCHES = ('strength', 'pseudo_strength', 'img_scale', 'alpha', 'score_thr', 'cls_weight',
            'max_bad_images')


def _bad_image_limit(cfg):
    value = cfg['max_bad_images']
    if not is_bad_image_limit(value):
        raise UserInputError("config key 'max_bad_images' must be a fraction in [0, 1) or a "
                             'count >= 0 (max_bad_images = 0.05 in a child config, or '
                             f'--cfg-options max_bad_images=0.05), got {value!r}')
    return value


def declares_switches(cfg) -> bool:
    """True if ``cfg`` has one of the top-level switches (it is one of ours)."""
    return any(key in cfg for key in SWITCHES)


def apply_switches(cfg, given=None):
    """Copy the top-level switches into the places they govern; returns cfg.

    Args:
        cfg: The config.
        given: The keys of ``--cfg-options`` merged since the file was loaded
            (and its switches applied). Then only switches among them are
            applied again, so that an explicit nested override (say
            ``model.semi_train_cfg.score_thr=0.3``) is kept. None: all.
    """
    if not declares_switches(cfg):
        return cfg
    keys = SWITCHES if given is None else [k for k in SWITCHES if k in given]
    if 'strength' in keys and 'strength' in cfg:
        _apply_strength(cfg)
    # after strength, and again whenever strength is (it resets the pseudo half)
    if {'strength', 'pseudo_strength'} & set(keys) and cfg.get('pseudo_strength') is not None:
        _apply_pseudo_strength(cfg)
    if 'img_scale' in keys and 'img_scale' in cfg:
        _apply_img_scale(cfg)
    if 'alpha' in keys and 'alpha' in cfg:
        alpha = _number(cfg, 'alpha')
        for norm in _governed(cfg, 'alpha', list(_of_type(cfg.get('model'), 'LossNormalizer')),
                              'no LossNormalizer in its model'):
            norm['alpha'] = alpha
    if 'score_thr' in keys and 'score_thr' in cfg:
        thr = _threshold(cfg)
        semis = [d['semi_train_cfg'] for d in _dicts(cfg.get('model'))
                 if isinstance(d.get('semi_train_cfg'), dict)
                 and 'score_thr' in d['semi_train_cfg']]
        for semi in _governed(cfg, 'score_thr', semis, OFFLINE_THRESHOLD):
            semi['score_thr'] = thr
    if 'cls_weight' in keys and 'cls_weight' in cfg:
        weight = _number(cfg, 'cls_weight')
        for joint in _governed(cfg, 'cls_weight',
                               list(_of_type(cfg.get('model'), 'JointTrainingDetector')),
                               'no JointTrainingDetector in its model'):
            joint['cls_weight'] = weight
    if 'max_bad_images' in keys and cfg.get('max_bad_images') is not None:
        limit = _bad_image_limit(cfg)
        for hook in _governed(cfg, 'max_bad_images',
                              list(_of_type(cfg.get('custom_hooks'), 'UnreadableImageHook')),
                              'no UnreadableImageHook in custom_hooks (a config that '
                              'leaves it out sets max_bad_images = None)'):
            hook['max_bad_images'] = limit
    _apply_student_batch(cfg, given or ())
    return cfg


RECORD = 'applied_switches'


def _switch_state(cfg) -> dict:
    """The values :func:`resolve_switches` records: each declared switch and the two batches."""
    state = {key: cfg[key] for key in SWITCHES if key in cfg}
    loader = cfg.get('train_dataloader')
    sampler = loader.get('sampler') if isinstance(loader, dict) else None
    if isinstance(sampler, dict) and _kind(sampler) == 'MultiSourceSampler':  # a student
        state[LOADER_BATCH] = loader.get('batch_size')
        state[SAMPLER_BATCH] = sampler.get('batch_size')
    return {key: _plain(value) for key, value in state.items()}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def resolve_switches(cfg):
    """Apply the switches not yet applied with their current value; returns cfg.

    The first call applies every declared switch; it records the values under
    ``cfg.applied_switches``. A later call (after ``--cfg-options`` were merged,
    or again at the runner) applies only the switches, and the student batch
    keys, whose value differs from the record, so a nested override merged
    in between is kept. A config without switches is left as it is.
    """
    if not declares_switches(cfg):
        return cfg
    record = cfg.get(RECORD)
    state = _switch_state(cfg)
    if isinstance(record, dict):
        given = {key for key, value in state.items() if _plain(record.get(key)) != value}
        if not given:
            return cfg
        apply_switches(cfg, given=given)
    else:
        apply_switches(cfg)
    cfg[RECORD] = _switch_state(cfg)
    return cfg
