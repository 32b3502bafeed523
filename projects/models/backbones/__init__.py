from .trimmed_mobilenet_v2 import TrimmedMobileNetV2

__all__ = ['TrimmedMobileNetV2']
