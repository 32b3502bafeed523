"""projects.utils.io: atomic writes keep nothing partial and give the umask's mode."""
import json
import os
import stat

import pytest

from projects.utils.io import atomic_output, atomic_write_json, atomic_write_text


@pytest.mark.parametrize('mask', [0o022, 0o002, 0o077])
def test_written_files_get_the_umasks_mode_as_open_does(tmp_path, mask):
    old = os.umask(mask)
    try:
        atomic_write_text('x', str(tmp_path / 'a.txt'))
        atomic_write_json({'a': 1}, str(tmp_path / 'b.json'))
        with open(tmp_path / 'c.txt', 'w') as f:  # what a plain write gives
            f.write('x')
    finally:
        os.umask(old)
    modes = {n: stat.S_IMODE(os.stat(tmp_path / n).st_mode) for n in ('a.txt', 'b.json', 'c.txt')}
    assert modes == dict.fromkeys(modes, 0o666 & ~mask)
    assert json.load(open(tmp_path / 'b.json')) == {'a': 1}


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / 'out.json'
    path.write_text('old')
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(str(path)) as tmp:
            open(tmp, 'w').write('half')
            raise KeyboardInterrupt
    assert path.read_text() == 'old' and os.listdir(tmp_path) == ['out.json']
