"""list_image_folder: sorted, recursive, ids from 1, one-line errors."""
import pytest

from projects.utils.errors import UserInputError
from projects.utils.image_folder import list_image_folder


def test_sorted_recursive_listing_with_ids_from_one(tmp_path):
    for name in ('b.jpg', 'a.PNG', 'sub/c.jpeg', 'notes.txt'):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b'x')
    assert list_image_folder(str(tmp_path)) == [
        dict(id=1, file_name='a.PNG'), dict(id=2, file_name='b.jpg'),
        dict(id=3, file_name='sub/c.jpeg')]


def test_missing_and_empty_folders_are_named(tmp_path):
    with pytest.raises(UserInputError, match=f'image folder not found: {tmp_path}/nope'):
        list_image_folder(str(tmp_path / 'nope'))
    with pytest.raises(UserInputError, match=f'no images .* in {tmp_path}$'):
        list_image_folder(str(tmp_path))

