# Zoph et al.'s instance-segmentation arm at toy scale: coco128 -> coco-unlabeled128.
#   python tools/run_study.py configs/studies/coco128_selftrain_instance.py
# Mask R-CNN with the ImageNet MobileNetV2 on coco128's four most frequent
# classes; 96 coco128 images train, the other 32 are the held-out evaluation
# set (seed 0). The teacher (supervised, S1, 2x) pseudo-labels the 128
# unlabelled images (boxes and masks, score >= 0.5); the student (S1, 2x)
# trains on both, half of each batch from each.
description = """
Mask R-CNN, MobileNetV2 ImageNet init, narrow GN FPN/heads (`configs/coco128/`),
classes person/car/cup/chair, 320x240, batch 4, 1x = 200 iterations. Box and
mask AP on the 32 held-out coco128 images (COCO AP@[.5:.95]).
"""
variables = dict(coco128_root='../shared/data/coco128',
                 unlabeled_root='../shared/data/coco-unlabeled128')
_split = 'data/coco128_split/'
setup = [
    dict(creates=_split + 'train96.json',
         cmd=['tools/misc/make_subset.py', '{coco128_root}/annotations/instances_train2017.json',
              '--num-images', '96', '--seed', '0', '--out', _split + 'train96.json',
              '--rest-out', _split + 'heldout32.json']),
]
seeds = [0]
_sup = 'configs/coco128/mask-rcnn_mobilenetv2-in1k_fpn_bn_1xb4-1x_coco128-4cls.py'
_nst = 'configs/coco128/nst_mask-rcnn_mobilenetv2-in1k_fpn_bn_1xb4-1x-s1_coco128-4cls-unlabeled128.py'
_heldout = '{repo}/' + _split + 'heldout32.json'
_eval = {'val_dataloader.dataset.data_root': '{coco128_root}/',
         'val_dataloader.dataset.ann_file': _heldout,
         'val_evaluator.ann_file': _heldout,
         'train_cfg.multiplier': 2}
runs = [
    dict(name='in1k-2x-sup-s1', config=_sup,
         options=dict(_eval, **{'train_dataloader.dataset.data_root': '{coco128_root}/',
                                'train_dataloader.dataset.ann_file': '{repo}/' + _split + 'train96.json'}),
         factors=dict(init='in1k', method='supervised S1')),
    dict(name='in1k-2x-student-s1', config=_nst, teacher='in1k-2x-sup-s1',
         unlabeled=dict(img_dir='{unlabeled_root}'),
         options=dict(_eval, **{
             'train_dataloader.dataset.human.data_root': '{coco128_root}/',
             'train_dataloader.dataset.human.ann_file': '{repo}/' + _split + 'train96.json',
             'train_dataloader.dataset.pseudo.data_root': '{unlabeled_root}/'}),
         factors=dict(init='in1k', method='student S1')),
]
tables = [
    dict(title='coco128 (96 labelled) + coco-unlabeled128: box AP', rows='init', cols='method',
         metric='coco/bbox_mAP'),
    dict(title='coco128 (96 labelled) + coco-unlabeled128: mask AP', rows='init', cols='method',
         metric='coco/segm_mAP'),
]
figures = [
    dict(kind='curves', file='coco128_curves.png', metric='coco/segm_mAP',
         title='Held-out mask AP, teacher vs student',
         runs={'in1k-2x-sup-s1': 'supervised (teacher)', 'in1k-2x-student-s1': 'Noisy Student'}),
]
