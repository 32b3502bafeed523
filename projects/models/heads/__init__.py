from .image_cls_head import ImageClsHead

__all__ = ['ImageClsHead']
