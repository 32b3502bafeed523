"""Loading COCO json files with one-line errors; torch-free."""
import json
from typing import Sequence

from .errors import UserInputError

COCO_KEYS = ('images', 'annotations', 'categories')


def load_coco_json(path: str, required: Sequence[str] = COCO_KEYS) -> dict:
    """Load a COCO json whose ``required`` top-level keys exist, whose images
    each have an ``id`` (no two the same), a ``file_name``, a ``width`` and a
    ``height``, and whose categories have distinct names; a missing file, bad
    JSON or the first offending record gives a one-line :class:`UserInputError`
    naming the file and the record."""
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        raise UserInputError(f'annotation file not found: {path}')
    except json.JSONDecodeError as e:
        raise UserInputError(f'{path}: not valid JSON ({e})')
    if not isinstance(data, dict):
        raise UserInputError(f'{path}: not a COCO json object')
    for key in required:
        if key not in data:
            raise UserInputError(f'{path}: missing key "{key}"')
    seen = {}
    for i, img in enumerate(data.get('images') or []):
        for key in ('id', 'file_name', 'width', 'height'):
            if not isinstance(img, dict) or key not in img:
                raise UserInputError(f'{path}: images[{i}] has no "{key}"')
        if img['id'] in seen:
            raise UserInputError(f'{path}: images[{i}] ({img["file_name"]}) repeats the id '
                                 f'{img["id"]} of images[{seen[img["id"]]}]; ids must be unique')
        seen[img['id']] = i
    names = {}
    for i, cat in enumerate(data.get('categories') or []):
        name = cat.get('name') if isinstance(cat, dict) else None
        if name is not None and name in names:
            raise UserInputError(f'{path}: categories[{i}] repeats the name {name!r} of '
                                 f'categories[{names[name]}]; one class would get two labels')
        names[name] = i
    return data
