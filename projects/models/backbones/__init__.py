from .trimmed_mobilenet_v2 import TrimmedMobileNetV2
from .vgg16 import VGG16

__all__ = ['TrimmedMobileNetV2', 'VGG16']
