"""ImageFolderDataset: sorted images with sizes, broken files skipped and
listed, a missing or empty folder is a one-line error."""
import cv2
import numpy as np
import pytest

from projects.datasets import ImageFolderDataset
from projects.utils.errors import UserInputError


def test_lists_images_with_sizes_and_skips_broken_files(tmp_path):
    cv2.imwrite(str(tmp_path / 'b.png'), np.zeros((10, 30, 3), np.uint8))
    (tmp_path / 'sub').mkdir()
    cv2.imwrite(str(tmp_path / 'sub' / 'a.jpg'), np.zeros((20, 8, 3), np.uint8))
    (tmp_path / 'broken.jpg').write_bytes(b'not an image')
    (tmp_path / 'empty.png').write_bytes(b'')
    (tmp_path / 'notes.txt').write_text('ignored')
    ds = ImageFolderDataset(data_prefix=dict(img=str(tmp_path)), metainfo=dict(classes=('x',)))
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['img_path'][len(str(tmp_path)) + 1:] for i in infos] == ['b.png', 'sub/a.jpg']
    assert [(i['width'], i['height']) for i in infos] == [(30, 10), (8, 20)]
    assert all(i['instances'] == [] for i in infos)
    assert ds.skipped == ['broken.jpg', 'empty.png']  # also logged as a warning


@pytest.mark.parametrize('make', [False, True])
def test_missing_or_empty_folder_is_one_line(tmp_path, make):
    folder = tmp_path / 'unlabeled'
    if make:
        folder.mkdir()
    with pytest.raises(UserInputError, match=str(folder)):
        ImageFolderDataset(data_prefix=dict(img=str(folder)))
