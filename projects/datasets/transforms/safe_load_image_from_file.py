"""``LoadImageFromFile`` that skips an unreadable image instead of stopping the run."""
from typing import Optional

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.registry import TRANSFORMS

from projects.utils.unreadable_images import record

MODES = ('resample', 'blank')


@TRANSFORMS.register_module()
class SafeLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` for data that may hold a bad file.

    A file that is missing, empty, truncated or not an image is appended to
    the run's record (:mod:`projects.utils.unreadable_images`, which
    :class:`~projects.engine.hooks.UnreadableImageHook` logs, counts and
    limits), then:

    * ``unreadable='resample'`` (training): the transform returns ``None``, so
      mmengine's dataset draws another sample (its refetch);
    * ``unreadable='blank'`` (evaluation): the sample gets a black image of
      the size its annotation records (``height`` x ``width``, else 32 x 32),
      and :class:`~projects.evaluation.UnreadableImageEvaluator` leaves it
      out of every metric.

    ``UnreadableImageHook`` sets ``'blank'`` on the steps of every validation
    and test set before it is evaluated, so one pipeline serves both. A
    readable image loads exactly as with ``LoadImageFromFile``; with
    ``ignore_empty=True`` a missing file gives ``None`` as upstream, unrecorded.

    Args:
        unreadable (str): ``'resample'`` or ``'blank'``. Defaults to 'resample'.
        **kwargs: ``LoadImageFromFile``'s arguments.
    """

    def __init__(self, unreadable: str = 'resample', **kwargs) -> None:
        if unreadable not in MODES:
            raise ValueError(f"SafeLoadImageFromFile: unreadable must be one of {MODES}, "
                             f'got {unreadable!r}')
        super().__init__(**kwargs)
        self.unreadable = unreadable

    def transform(self, results: dict) -> Optional[dict]:
        """Load the image of ``results['img_path']``; see the class for a bad file."""
        try:
            out = super().transform(results)
        except FileNotFoundError:
            return self._skip(results, 'not found')
        except Exception:  # noqa: BLE001  (mmcv asserts on None; cv2/PIL raise on garbage)
            return self._skip(results, 'cannot be decoded')
        return out

    def _skip(self, results: dict, reason: str) -> Optional[dict]:
        evaluating = self.unreadable == 'blank'
        record(results['img_path'], reason, 'eval' if evaluating else 'train',
               results.get('img_id'))
        if not evaluating:
            return None
        shape = (results.get('height') or 32, results.get('width') or 32)
        img = np.zeros(shape if self.color_type == 'grayscale' else shape + (3, ),
                       np.float32 if self.to_float32 else np.uint8)
        results.update(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
        return results

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", unreadable='{self.unreadable}')"


def blank_unreadable_images(node, seen=None) -> int:
    """Set ``unreadable='blank'`` on every ``SafeLoadImageFromFile`` of a data set,
    its parts (a wrapper's ``dataset``/``datasets``) and nested pipelines
    (``Compose``, ``MultiBranch``); returns how many steps were set."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return 0
    seen.add(id(node))
    if isinstance(node, SafeLoadImageFromFile):
        node.unreadable = 'blank'
        return 1
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, (list, tuple)):
        return sum(blank_unreadable_images(item, seen) for item in node)
    return sum(blank_unreadable_images(getattr(node, attr), seen)
               for attr in ('pipeline', 'transforms', 'branch_pipelines', 'dataset', 'datasets')
               if getattr(node, attr, None) is not None)
