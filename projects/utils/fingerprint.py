"""Fingerprints of what makes a resumable output, so that a rerun resumes only
what the same run started (labelling parts, self-training and study stages)."""
import hashlib
import json
import os
import os.path as osp
from typing import List, Optional

from .errors import UserInputError


def file_signature(path: Optional[str]) -> Optional[list]:
    """[real path, size, mtime] of a file (None for no file)."""
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return [osp.realpath(path), None, None]
    return [osp.realpath(path), st.st_size, int(st.st_mtime)]


def images_signature(images: List[dict], prefix: Optional[str]) -> str:
    """A digest of the image list: each image's id, name, size and mtime, in order."""
    digest = hashlib.sha1()
    for im in images:
        sig = file_signature(osp.join(prefix, im['file_name']) if prefix else None)
        digest.update(json.dumps([im['id'], im['file_name'], sig and sig[1:]]).encode())
    return f'{len(images)} images, sha1 {digest.hexdigest()[:16]}'


def check_same_run(old: Optional[dict], new: dict, what: str, has_work: bool) -> None:
    """Refuse, in one line naming what changed, to resume ``what`` that another
    run (``old`` fingerprint) made; ``has_work`` with no ``old`` is an earlier
    version's output, refused too. Both ways on are named: the old arguments,
    or ``--restart``."""
    new = json.loads(json.dumps(new))  # as it reads back
    if old is None:
        if has_work:
            raise UserInputError(f'{what} holds the work of a run that recorded no fingerprint '
                                 '(an earlier version); start afresh with --restart')
        return
    changed = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    if changed:
        raise UserInputError(f'{what} holds the work of another run (changed: '
                             f'{", ".join(changed)}); rerun with that run\'s arguments to '
                             'finish it, or start afresh with --restart')
