"""The runner of our configs: the one-value switches applied before anything
is built, and checkpoints read with ``weights_only=True`` whatever their scheme."""
import copy

from mmengine.model import is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from projects.compat.checkpoint_loading import check_matched_share, load_checkpoint_safely
from projects.utils.config_switches import RECORD, resolve_switches
from projects.utils.errors import UserInputError


@RUNNERS.register_module()
class RethinkRunner(Runner):
    """:class:`mmengine.runner.Runner` that trains what a config's switches say
    and loads checkpoints safely.

    Our ``_base_`` runtimes name it (``runner_type = 'RethinkRunner'``), so
    ``RUNNERS.build(cfg)`` (mmdet's and our ``tools/train.py`` and
    ``tools/test.py``, ``mim train``) builds it. :meth:`from_cfg` copies
    ``strength``, ``pseudo_strength``, ``img_scale``, ``alpha``, ``score_thr``,
    ``cls_weight``, ``max_bad_images`` and the student batch into the places they govern
    (:func:`projects.utils.config_switches.resolve_switches`) before the model,
    the hooks or the data are built, and the config it dumps into the work dir
    holds the values that run.

    :meth:`load_checkpoint` (``load_from``, ``resume``, ``tools/test.py``'s
    checkpoint) reads local files, ``http(s)://``, ``torchvision://``,
    ``open-mmlab://`` and ``offline-imagenet://`` with ``weights_only=True``
    (:func:`projects.compat.checkpoint_loading.load_checkpoint_safely`), and
    a bad file (missing, damaged, unsafe, NaN/Inf weights) is one line.
    Everything else is mmengine's ``Runner``.
    """

    @classmethod
    def from_cfg(cls, cfg) -> 'RethinkRunner':
        """Build the runner from ``cfg`` with its switches applied (``cfg`` is not changed)."""
        return super().from_cfg(resolve_switches(copy.deepcopy(cfg)))

    def load_or_resume(self) -> None:
        """mmengine's, with ``load_from`` (not a resume) checked for how much of
        the model it fills (:func:`check_matched_share`)."""
        self._check_share = not self._resume
        try:
            super().load_or_resume()
        finally:
            self._check_share = False

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]):  # noqa: B006 (mmengine's)
        """mmengine's ``Runner.load_checkpoint``, reading the file safely. A
        ``load_from`` that fills less than half of the model's parameters is
        one line, unless the config sets ``load_from_partial = True``."""
        checkpoint = load_checkpoint_safely(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        if getattr(self, '_check_share', False) and not self.cfg.get('load_from_partial'):
            check_matched_share(model, checkpoint, filename, revise_keys)
        checkpoint = _load_checkpoint_to_model(model, checkpoint, strict,
                                               revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint


def apply_data_switches_late(runner, train_dataloader) -> None:
    """Apply the switches to the data of a runner built without them.

    A plain ``Runner.from_cfg`` (a notebook, a script) ignores ``runner_type``,
    so nothing applied the switches before the model was built. The train
    loop calls this before it builds the training data: the switches are
    applied to ``runner.cfg``, the training, validation and test dataloader
    configs that are still configs are replaced by the switched ones, and
    the config in the work dir is dumped again. A switch that changes the
    model (``alpha``, ``score_thr``, ``cls_weight`` set away from the base's
    value) cannot be applied any more and is a one-line error.

    Args:
        runner: The runner (``runner.cfg`` is the whole config).
        train_dataloader: The training dataloader config the loop will build.
    """
    cfg = runner.cfg
    model_before = copy.deepcopy(cfg.get('model'))
    record_before = copy.deepcopy(cfg.get(RECORD))
    resolve_switches(cfg)
    if cfg.get(RECORD) == record_before:  # applied already (RethinkRunner, load_config)
        return
    if cfg.get('model') != model_before:
        raise UserInputError(
            'the config sets a switch of the model (alpha, score_thr or cls_weight) but this '
            'runner was built by plain Runner.from_cfg, which ignores runner_type: build it '
            'with mmengine.registry.RUNNERS.build(cfg)')
    targets = dict(train_dataloader=train_dataloader, val_dataloader=runner._val_dataloader,
                   test_dataloader=runner._test_dataloader)
    for key, target in targets.items():
        if isinstance(target, dict) and isinstance(cfg.get(key), dict):
            target.clear()
            target.update(copy.deepcopy(cfg[key]))
    runner.dump_config()
