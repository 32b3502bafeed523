from .box_only_det_tta_model import BoxOnlyDetTTAModel

__all__ = ['BoxOnlyDetTTAModel']
