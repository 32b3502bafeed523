# Online teacher-student Faster R-CNN R50-FPN (caffe, ImageNet init) on
# 10% of COCO train2017 (fold 1) + the other 90% unlabelled: the cell of
# mmdet's SoftTeacher table (33.8 AP at 10%), with our EMA teacher, score
# threshold 0.5 and loss normalization instead of SoftTeacher's losses.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', '../_base_/teacher_student_coco.py']
detector = _base_.model
detector.data_preprocessor = _base_.caffe_preprocessor
detector.backbone = _base_.caffe_backbone
model = dict(_base_.ts_model, _delete_=True, detector=detector)
