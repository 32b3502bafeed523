# PASCAL VOC 2012 aug, DeepLabV3+ R50-D8, SyncBN everywhere, random init,
# S1 augmentation. 160k = 4 x 40k (scratch needs the long schedule, He et
# al.); drops at the last 26.7k / 8.9k. Also the teacher of the nst_ twin.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8_syncbn-all.py',
    '../_base_/datasets/voc12aug_strength.py',
    '../_base_/schedules/seg_long_schedule.py',
    '../_base_/seg_runtime.py',
]
train_cfg = dict(multiplier=4)
