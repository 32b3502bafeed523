"""Errors the tools report as one line (``error: ...``, exit 2); torch-free."""


class UserInputError(Exception):
    """Bad input from the command line; reported as one line, no traceback."""


class CheckpointError(UserInputError):
    """A checkpoint that cannot be used: missing, corrupt, unsafe or of another model."""


class DiskFullError(UserInputError):
    """A write hit ENOSPC; nothing partial was left behind."""
