# COCO person keypoints (person_keypoints_{train,val}2017.json): boxes, masks
# and the 17 keypoints of each person; horizontal flips swap left and right.
# Evaluation: box AP (CocoMetric) and keypoint OKS AP (CocoKeypointMetric).
_base_ = './coco_instance.py'
data_root = 'data/coco/'
keypoint_names = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
                  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
                  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                  'right_ankle')
flip_pairs = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)]
metainfo = dict(classes=('person', ), palette=[(220, 20, 60)], keypoint_names=keypoint_names)
train_pipeline = [
    dict(type='SafeLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    # shorter side sampled from 640-800 (Detectron's keypoint baselines), max 1333
    dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='KeypointsFollowImage', flip_pairs=flip_pairs),
    dict(type='PackKeypointInputs'),
]
train_dataloader = dict(dataset=dict(
    type='CocoKeypointDataset', metainfo=metainfo,
    min_keypoints_per_image=1,  # detectron2's MIN_KEYPOINTS_PER_IMAGE: no keypoint, no image
    ann_file='annotations/person_keypoints_train2017.json', pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(
    type='CocoKeypointDataset', metainfo=metainfo,
    ann_file='annotations/person_keypoints_val2017.json'))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric', ann_file=data_root + 'annotations/person_keypoints_val2017.json',
         metric=['bbox', 'segm']),
    dict(type='CocoKeypointMetric',
         ann_file=data_root + 'annotations/person_keypoints_val2017.json'),
]
test_evaluator = val_evaluator
