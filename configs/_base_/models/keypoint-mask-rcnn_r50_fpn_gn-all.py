# Mask R-CNN R50-FPN with GN everywhere and Mask R-CNN's keypoint branch (He
# et al.'s keypoint experiment): 14x14 RoIAlign, 8 3x3 convs of 512 (GN),
# a stride-2 deconv and 2x bilinear upsampling to 56x56 heatmaps, one per COCO
# person keypoint (17), spatial-softmax cross-entropy (KeypointHeatmapHead).
_base_ = './mask-rcnn_r50_fpn_gn-all.py'
model = dict(roi_head=dict(
    type='KeypointRoIHead',
    keypoint_roi_extractor=dict(
        type='SingleRoIExtractor',
        roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
        out_channels=256, featmap_strides=[4, 8, 16, 32]),
    keypoint_head=dict(type='KeypointHeatmapHead', num_keypoints=17, in_channels=256,
                       conv_out_channels=512, num_convs=8, norm_cfg=_base_.norm_cfg)))
