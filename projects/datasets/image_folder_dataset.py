"""Unlabelled images from a plain folder, no json needed."""
import os.path as osp
from typing import List

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from projects.apis.inference import list_image_folder


@DATASETS.register_module()
class ImageFolderDataset(BaseDetDataset):
    """Every image under ``data_prefix['img']`` (recursively, sorted), with
    no annotations: the unlabelled source of self-training when there is no
    COCO json. Pair its pipeline with ``LoadEmptyAnnotations``.

    ``metainfo`` should name the classes of the labelled set, so that a
    ``ConcatDataset`` with it accepts both parts. A missing or empty folder is
    a one-line error naming the folder.

    Example:
        >>> dict(type='ImageFolderDataset', data_root='data/',
        ...      data_prefix=dict(img='unlabeled/'), metainfo=dict(classes=...),
        ...      pipeline=unsup_pipeline)
    """

    def load_data_list(self) -> List[dict]:
        folder = self.data_prefix.get('img', '')
        if not folder and self.data_root:
            folder = self.data_root
        return [dict(img_id=im['id'], img_path=osp.join(folder, im['file_name']),
                     instances=[]) for im in list_image_folder(folder)]

    def filter_data(self) -> List[dict]:
        """Nothing to filter: unlabelled images have no boxes by design."""
        return self.data_list
