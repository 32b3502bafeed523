# Test-time augmentation for tools/test.py --tta: shorter side 640, 800 and
# 1000 (max 1333), each with and without a horizontal flip; the 6 views'
# boxes merged by NMS (DetTTAModel; masks are left out: bbox AP). The scales
# are our choice (He et al.'s enhanced baselines use TTA; its exact views are
# not restated here).
tta_model = dict(type='DetTTAModel',
                 tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))
tta_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(1333, s), keep_ratio=True) for s in (640, 800, 1000)],
        [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)],
        [dict(type='LoadAnnotations', with_bbox=True)],
        [dict(type='PackDetInputs',
              meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                         'flip', 'flip_direction'))]])]
