"""tools/lib/output_paths.py: which outputs are refused, and why, in one line."""
import os

import pytest

from projects.utils.errors import UserInputError
from tools.lib.output_paths import check_distinct, check_output


def test_inputs_and_folders(tmp_path):
    src = tmp_path / 'in.json'
    src.write_text('{}')
    images = tmp_path / 'images'
    images.mkdir()
    check_output(str(tmp_path / 'new' / 'deeper' / 'out.json'), [str(src)], '--out')  # created
    with pytest.raises(UserInputError, match='would overwrite an input'):
        check_output(str(tmp_path / '.' / 'in.json'), [str(src)], '--out')  # another spelling
    link = tmp_path / 'link.json'
    link.symlink_to(src)
    with pytest.raises(UserInputError, match='would overwrite an input'):
        check_output(str(link), [str(src)], '--out')  # a link to the input
    with pytest.raises(UserInputError, match='is an existing folder'):
        check_output(str(images), [], '--out')
    for bad in (images, images / 'masks'):
        with pytest.raises(UserInputError, match='would overwrite an input'):
            check_output(str(bad), [str(images)], '--out-dir', 'dir')
    check_output(str(tmp_path / 'masks'), [str(images)], '--out-dir', 'dir')  # beside: fine
    with pytest.raises(UserInputError, match='is an existing file; give a folder'):
        check_output(str(src), [], '--out-dir', 'dir')


def test_unwritable_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(os, 'access', lambda path, mode: False)
    with pytest.raises(UserInputError, match=f'--out {tmp_path}/o.json: {tmp_path} is not '
                       'writable'):
        check_output(str(tmp_path / 'o.json'), [], '--out')


def test_two_outputs_of_one_command(tmp_path):
    check_distinct({'--out': 'a.json', '--rest-out': None, '--unlabeled-out': 'b.json'})
    with pytest.raises(UserInputError, match='--out and --rest-out are the same file'):
        check_distinct({'--out': str(tmp_path / 'a.json'),
                        '--rest-out': str(tmp_path / '.' / 'a.json')})
