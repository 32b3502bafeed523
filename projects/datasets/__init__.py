from .class_folder_dataset import ClassFolderDataset
from .coco_keypoint_dataset import CocoKeypointDataset
from .human_pseudo_dataset import HumanPseudoDataset
from .image_folder_dataset import ImageFolderDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['ClassFolderDataset', 'CocoKeypointDataset', 'HumanPseudoDataset', 'ImageFolderDataset']
