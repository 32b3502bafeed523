from .human_pseudo_dataset import HumanPseudoDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['HumanPseudoDataset']
