"""The images of a folder, as the labelling tools and ImageFolderDataset list them; torch-free."""
import os
import os.path as osp
from typing import List

from .errors import UserInputError

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def list_image_folder(img_dir: str) -> List[dict]:
    """Sorted image files of a folder (recursively) as ``{id, file_name}``."""
    if not osp.isdir(img_dir):
        raise UserInputError(f'image folder not found: {img_dir}')
    names = sorted(osp.relpath(osp.join(root, f), img_dir)
                   for root, _, files in os.walk(img_dir) for f in files
                   if f.lower().endswith(IMG_EXTENSIONS))
    if not names:
        raise UserInputError(f'no images ({"/".join(IMG_EXTENSIONS)}) in {img_dir}')
    return [dict(id=i + 1, file_name=n) for i, n in enumerate(names)]
