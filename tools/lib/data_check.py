"""Pre-flight checks of the COCO annotation files a config trains on, so bad
input ends in one line naming the file and the key instead of a traceback
deep in a data loader worker."""
import math
import os.path as osp
from typing import Iterator, List, Optional, Sequence, Tuple

from mmengine.logging import print_log

from projects.utils.coco_json import load_coco_json
from projects.utils.errors import UserInputError

MAX_CHECK_BYTES = 200 * 2 ** 20  # larger files (full COCO) are left to mmdet


def walk_datasets(dataset) -> Iterator[Tuple[dict, bool]]:
    """Every dataset config under ``dataset`` as (config, is_leaf), through
    wrappers (``dataset``), concatenations (``datasets``) and
    ``HumanPseudoDataset`` (``human``/``pseudo``); children come first."""
    if not isinstance(dataset, dict):
        return
    children = [dataset.get(k) for k in ('dataset', 'human', 'pseudo')]
    children = [c for c in children + list(dataset.get('datasets') or [])
                if isinstance(c, dict)]
    for child in children:
        yield from walk_datasets(child)
    yield dataset, not children


def is_coco(dataset: dict) -> bool:
    """An instance/detection COCO json dataset (panoptic and caption files differ)."""
    return 'ann_file' in dataset and str(dataset.get('type', '')).split('.')[-1] == 'CocoDataset'


def leaf_datasets(dataset: dict) -> Iterator[dict]:
    """The COCO dataset configs that read annotation files."""
    return (ds for ds, _ in walk_datasets(dataset) if is_coco(ds))


def _ann_path(dataset: dict) -> Optional[str]:
    ann = dataset.get('ann_file')
    if not ann:
        return None
    root = dataset.get('data_root') or ''
    return ann if osp.isabs(ann) or '://' in ann else osp.join(root, ann)


def _box_numbers(ann) -> Optional[List[float]]:
    """The 4 numbers of ``ann['bbox']``, or None when it cannot be parsed as 4 numbers."""
    box = ann.get('bbox')
    if not isinstance(box, (list, tuple)) or len(box) != 4 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in box):
        return None
    return [float(v) for v in box]


def check_coco_file(path: str, classes: Optional[List[str]] = None,
                    filter_empty: bool = False) -> None:
    """One COCO json: keys, category ids, boxes, overlap with the config's classes,
    and (``filter_empty``: the dataset drops images without boxes) at least one
    image left."""
    data = load_coco_json(path)
    cats = {c['id']: c.get('name') for c in data['categories'] if 'id' in c}
    non_finite, with_boxes = 0, set()
    for i, ann in enumerate(data['annotations']):
        for key in ('image_id', 'category_id', 'bbox'):
            if key not in ann:
                raise UserInputError(f'{path}: annotations[{i}] has no "{key}"')
        if ann['category_id'] not in cats:
            raise UserInputError(f'{path}: annotations[{i}] has category_id '
                                 f'{ann["category_id"]}, which is not in "categories"')
        box = _box_numbers(ann)
        if box is None:
            raise UserInputError(f'{path}: annotations[{i}] has bbox {ann["bbox"]!r}, which is '
                                 'not 4 numbers [x, y, width, height]')
        if not all(math.isfinite(v) for v in box):
            non_finite += 1  # mmdet's parsing drops it (zero overlap with the image)
        elif box[2] >= 1 and box[3] >= 1 and (not classes or cats[ann['category_id']] in classes):
            with_boxes.add(ann['image_id'])
    if non_finite:
        print_log(f'{path}: {non_finite} annotations with a NaN/Inf box coordinate are '
                  'dropped', logger='current', level=30)
    if classes:
        names = set(cats.values())
        if not names & set(classes):
            raise UserInputError(f'{path}: none of its categories {sorted(names)[:5]} is a class '
                                 f'of the config {list(classes)[:5]} (another class list?)')
        dropped = sum(cats[a['category_id']] not in classes for a in data['annotations'])
        if dropped:
            print_log(f'{path}: {dropped} annotations of categories that are not classes of the '
                      'config are skipped', logger='current', level=30)
    if filter_empty and data['images'] and not with_boxes:
        raise UserInputError(f'{path}: 0 images left after dropping images without boxes: '
                             f'none of its {len(data["images"])} images has a box of at least '
                             '1 px of a class of the config')


def _classes(dataset: dict) -> Optional[List[str]]:
    """The class list a dataset config trains on (its metainfo, or its type's)."""
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes:
        return list(classes)
    from mmdet.registry import DATASETS
    cls = DATASETS.get(str(dataset.get('type', '')).split('.')[-1])
    return list(getattr(cls, 'METAINFO', {}).get('classes') or []) or None


def check_coco_datasets(cfg, loaders: Sequence[str] = ('train_dataloader', 'val_dataloader')
                        ) -> int:
    """Check every COCO annotation file of the named dataloaders (training
    builds only the train and val ones); returns how many were checked."""
    checked = set()
    for loader in loaders:
        for ds in leaf_datasets((cfg.get(loader) or {}).get('dataset')):
            path = _ann_path(ds)
            if not path or path in checked or '://' in path:
                continue
            if not osp.isfile(path):
                raise UserInputError(f'annotation file not found: {path} ({loader})')
            checked.add(path)
            if osp.getsize(path) <= MAX_CHECK_BYTES:
                filter_empty = bool((ds.get('filter_cfg') or {}).get('filter_empty_gt')) and \
                    not ds.get('test_mode', False)
                check_coco_file(path, _classes(ds), filter_empty)
    return len(checked)


def check_train_sampler(cfg) -> None:
    """A ``MultiSourceSampler`` (half human, half pseudo per batch) with a
    ``batch_sampler`` (mmdet's coco bases set ``AspectRatioBatchSampler``):
    the batch sampler regroups the sampler's indices by aspect ratio, so a
    batch can hold one source only and the student's other part is empty."""
    loader = cfg.get('train_dataloader') or {}
    sampler_type = str((loader.get('sampler') or {}).get('type', '')).split('.')[-1]
    if sampler_type == 'MultiSourceSampler' and loader.get('batch_sampler'):
        raise UserInputError(
            'train_dataloader.batch_sampler='
            f'{loader["batch_sampler"].get("type", loader["batch_sampler"])} would regroup '
            "MultiSourceSampler's half/half batches; set train_dataloader.batch_sampler=None")
