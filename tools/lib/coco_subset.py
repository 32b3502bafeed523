"""Deterministic image subsets of COCO-format annotation files."""
import random
from typing import Dict, Optional, Tuple

from projects.utils.coco_json import COCO_KEYS
from projects.utils.errors import UserInputError


def split_coco(data: dict, num_images: Optional[int] = None,
               percent: Optional[float] = None, seed: int = 0,
               rest_annotations: bool = False) -> Tuple[dict, dict]:
    """Pick images at random (seeded) and split ``data`` in two.

    Returns ``(subset, rest)``. ``subset`` keeps every annotation of its images
    (crowd regions and masks included); ``rest`` holds the other images with
    no annotations, for use as unlabelled data, or with theirs when
    ``rest_annotations`` (a held-out set). Categories are unchanged.
    """
    if (num_images is None) == (percent is None):
        raise UserInputError('give exactly one of --num-images and --percent')
    n_all = len(data['images'])
    k = num_images if num_images is not None else int(round(n_all * percent / 100))
    if not 0 < k <= n_all:
        raise UserInputError(f'asked for {k} images, the file has {n_all}')
    ids = sorted(img['id'] for img in data['images'])
    chosen = set(random.Random(seed).sample(ids, k))
    extra = {key: v for key, v in data.items() if key not in COCO_KEYS}

    def part(keep_ids, with_anns):
        return dict(extra,
                    images=[im for im in data['images'] if im['id'] in keep_ids],
                    annotations=[a for a in data['annotations'] if a['image_id'] in keep_ids]
                    if with_anns else [],
                    categories=data['categories'])
    return part(chosen, True), part(set(ids) - chosen, rest_annotations)


def describe(data: dict) -> Dict[str, int]:
    """Counts of images, instances, crowd regions and categories."""
    anns = data['annotations']
    return dict(images=len(data['images']),
                instances=sum(not a.get('iscrowd', 0) for a in anns),
                crowd=sum(bool(a.get('iscrowd', 0)) for a in anns),
                categories=len(data['categories']))
