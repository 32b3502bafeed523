"""Unlabelled images from a plain folder, no json needed."""
import logging
import os.path as osp
from typing import List

from mmengine.logging import print_log
from PIL import Image

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from projects.utils.image_folder import list_image_folder


@DATASETS.register_module()
class ImageFolderDataset(BaseDetDataset):
    """Every image under ``data_prefix['img']`` (recursively, sorted), with
    no annotations: the unlabelled source of self-training when there is no
    COCO json. Pair its pipeline with ``LoadEmptyAnnotations``.

    ``metainfo`` should name the classes of the labelled set, so that a
    ``ConcatDataset`` with it accepts both parts. A missing or empty folder is
    a one-line error naming the folder; files that are not readable images
    are skipped and listed in the log. Widths and heights come from the image
    headers, so aspect-ratio samplers (``GroupMultiSourceSampler``) work.

    Example:
        >>> dict(type='ImageFolderDataset', data_root='data/',
        ...      data_prefix=dict(img='unlabeled/'), metainfo=dict(classes=...),
        ...      pipeline=unsup_pipeline)
    """

    def load_data_list(self) -> List[dict]:
        folder = self.data_prefix.get('img', '')
        if not folder and self.data_root:
            folder = self.data_root
        data_list, skipped = [], []
        for im in list_image_folder(folder):
            path = osp.join(folder, im['file_name'])
            try:  # reads the header only; aspect-ratio samplers need the size
                with Image.open(path) as img:
                    width, height = img.size
            except (OSError, ValueError):
                skipped.append(im['file_name'])
                continue
            data_list.append(dict(img_id=im['id'], img_path=path, width=width,
                                  height=height, instances=[]))
        self.skipped = skipped  # relative paths, for tools and tests
        if skipped:
            print_log(f'ImageFolderDataset: skipped {len(skipped)} unreadable files in '
                      f'{folder}: {", ".join(skipped[:20])}', logger='current',
                      level=logging.WARNING)
        return data_list

    def filter_data(self) -> List[dict]:
        """Nothing to filter: unlabelled images have no boxes by design."""
        return self.data_list
