"""Loading COCO json files with one-line errors; torch-free."""
import json
from typing import Sequence

from .errors import UserInputError

COCO_KEYS = ('images', 'annotations', 'categories')


def load_coco_json(path: str, required: Sequence[str] = COCO_KEYS) -> dict:
    """Load a COCO json whose ``required`` top-level keys exist and whose
    images all have an ``id``; a missing file, bad JSON or a missing key gives
    a one-line :class:`UserInputError` naming the file and the key."""
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
    for i, img in enumerate(data.get('images') or []):
        if 'id' not in img:
            raise UserInputError(f'{path}: images[{i}] has no "id"')
    return data
