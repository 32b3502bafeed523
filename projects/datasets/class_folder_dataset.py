"""Labelled images in an ImageNet-style folder: one sub-folder per class."""
import os
import os.path as osp
from typing import List

from mmdet.registry import DATASETS
from projects.utils.errors import UserInputError
from .image_folder_dataset import ImageFolderDataset


@DATASETS.register_module()
class ClassFolderDataset(ImageFolderDataset):
    """Images under ``data_prefix['img']/<class>/...`` with their class index.

    The classification part of joint training (Zoph et al. 2020, Table 7):
    each sample carries ``gt_label``, the index of its top-level folder in
    the sorted folder names (``self.class_names``); pack it with
    ``PackDetInputs(meta_keys=(..., 'gt_label'))``. ``metainfo`` should be
    the detection data's, so that one ``ConcatDataset`` holds both.
    """

    def load_data_list(self) -> List[dict]:
        folder = self.data_prefix.get('img', '') or self.data_root
        if not osp.isdir(folder):
            raise UserInputError(f'class folder not found: {folder}')
        self.class_names = sorted(d for d in os.listdir(folder)
                                  if osp.isdir(osp.join(folder, d)))
        if not self.class_names:
            raise UserInputError(f'no class sub-folders in {folder} (expected '
                                 f'{folder}/<class>/<image>)')
        index = {name: i for i, name in enumerate(self.class_names)}
        data_list = super().load_data_list()
        for info in data_list:
            top = osp.relpath(info['img_path'], folder).split(os.sep)[0]
            if top not in index:
                raise UserInputError(f'{info["img_path"]} is not inside a class folder '
                                     f'of {folder}')
            info['gt_label'] = index[top]
        return data_list
