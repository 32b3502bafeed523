"""Helpers of the command-line tools only (argument handling, dataset and
config checks, study reports, pseudo-label quality). Components that configs
register and the APIs that tools share live in :mod:`projects`."""
