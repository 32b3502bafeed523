"""ClassFolderDataset: class index from the top-level folder, one-line errors."""
import numpy as np
import pytest
from PIL import Image

from projects.datasets import ClassFolderDataset
from projects.utils.errors import UserInputError


def _folder(root, layout):
    for rel in layout:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((8, 10, 3), np.uint8)).save(path)
    return str(root)


def test_labels_follow_the_sorted_class_folders(tmp_path):
    root = _folder(tmp_path, ['n02/b.jpg', 'n01/a.jpg', 'n01/deep/c.png', 'n03/d.jpg'])
    ds = ClassFolderDataset(data_prefix=dict(img=root), pipeline=[])
    assert ds.class_names == ['n01', 'n02', 'n03']
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    labels = {info['img_path'].split(root)[1]: info['gt_label'] for info in infos}
    assert labels == {'/n01/a.jpg': 0, '/n01/deep/c.png': 0, '/n02/b.jpg': 1, '/n03/d.jpg': 2}
    assert infos[0]['width'] == 10 and infos[0]['height'] == 8


def test_images_outside_class_folders_and_missing_folders_are_one_line_errors(tmp_path):
    root = _folder(tmp_path, ['n01/a.jpg', 'stray.jpg'])
    with pytest.raises(UserInputError, match='stray.jpg is not inside a class folder'):
        ClassFolderDataset(data_prefix=dict(img=root), pipeline=[])
    with pytest.raises(UserInputError, match='class folder not found'):
        ClassFolderDataset(data_prefix=dict(img=str(tmp_path / 'none')), pipeline=[])


def test_coco_keypoint_dataset_gives_every_instance_k_keypoints(demo_data):
    import os.path as osp
    from mmengine.registry import init_default_scope

    from projects.datasets import CocoKeypointDataset
    init_default_scope('mmdet')
    ds = CocoKeypointDataset(
        data_root=demo_data + '/', ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/'), pipeline=[],
        metainfo=dict(classes=('circle', 'square', 'triangle'),
                      keypoint_names=('top', 'left', 'right')))
    labelled = unlabelled = 0
    for i in range(len(ds)):
        for inst in ds.get_data_info(i)['instances']:
            assert inst['keypoints'].shape == (3, 3)
            if inst['bbox_label'] == 2:  # triangles: 3 visible corners inside the box
                x1, y1, x2, y2 = inst['bbox']
                kps = inst['keypoints']
                assert (kps[:, 2] == 2).all()
                assert (kps[:, 0] >= x1 - 1).all() and (kps[:, 0] <= x2 + 1).all()
                assert (kps[:, 1] >= y1 - 1).all() and (kps[:, 1] <= y2 + 1).all()
                labelled += 1
            else:
                assert (inst['keypoints'] == 0).all()
                unlabelled += 1
    assert labelled > 10 and unlabelled > 10
    assert osp.basename(ds.ann_file) == 'instances_train.json'
