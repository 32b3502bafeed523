"""Output paths checked before any work: an output never replaces an input.

Every tool that writes a file or a folder calls :func:`check_output` on it
with the inputs of the same command, before it loads a model or reads data;
a bad output is one :class:`UserInputError` line (exit 2). Torch-free.
"""
import os
import os.path as osp
from typing import Iterable, Optional

from projects.utils.errors import UserInputError


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_output(path: str, inputs: Iterable[Optional[str]], option: str,
                 kind: str = 'file') -> None:
    """Refuse, in one line, an output that would destroy an input or cannot be written.

    Args:
        path: The output (a file, or a folder with ``kind='dir'``).
        inputs: The command's input files and folders (None entries are skipped).
        option: How the user named the output (``--out``), for the message.
        kind: ``'file'``: refused when it resolves to an input file or is an
            existing folder. ``'dir'``: refused when it is an input file, is
            or lies inside an input folder (what it writes would be read as
            input next time), or is an existing file.

    Raises:
        UserInputError: naming the option, the path and the input.
    """
    real = osp.realpath(path)
    for src in inputs:
        if not src or not osp.exists(src):
            continue
        source = osp.realpath(src)
        clash = real == source if osp.isfile(source) else (
            kind == 'dir' and _inside(real, source))
        if clash:
            raise UserInputError(f'{option} {path} would overwrite an input of this command '
                                 f'({src}); write the output elsewhere')
    if kind == 'file' and osp.isdir(real):
        raise UserInputError(f'{option} {path} is an existing folder; give a file name')
    if kind == 'dir' and osp.exists(real) and not osp.isdir(real):
        raise UserInputError(f'{option} {path} is an existing file; give a folder')
    parent = osp.dirname(real) if kind == 'file' else real
    while not osp.exists(parent):  # folders that do not exist yet are created
        parent = osp.dirname(parent)
    if not osp.isdir(parent):
        raise UserInputError(f'{option} {path}: {parent} is a file, not a folder')
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserInputError(f'{option} {path}: {parent} is not writable')


def check_distinct(outputs: dict) -> None:
    """Refuse two outputs of one command that resolve to the same path."""
    seen = {}
    for option, path in outputs.items():
        if not path:
            continue
        real = osp.realpath(path)
        if real in seen:
            raise UserInputError(f'{seen[real]} and {option} are the same file ({path}); '
                                 'give each output its own name')
        seen[real] = option
