"""Run a tool's ``main`` so that bad input ends in one clear line."""
import argparse
import os
import re
import sys
import warnings
from typing import Callable, Optional

from projects.utils.errors import UserInputError

DEBUG_ENV = 'RETHINK_DEBUG'  # RETHINK_DEBUG=1: tracebacks instead of the one-line errors

# a component built with an argument it does not take: a typo in a config or --cfg-options
_UNKNOWN_ARG = re.compile(r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'")


def config_error(exc: BaseException) -> Optional[str]:
    """One line for an error that a config (or ``--cfg-options``) caused, else None."""
    if isinstance(exc, TypeError):
        found = _UNKNOWN_ARG.search(str(exc))
        if found:
            return (f'config: {found.group(1)} has no argument {found.group(2)!r} (a typo in '
                    'the config or in --cfg-options?)')
    return None


class CfgOptionsAction(argparse.Action):
    """mmengine's ``DictAction`` for ``--cfg-options KEY=VALUE ...``, with an item
    that is not ``KEY=VALUE`` one line (``parser.error``) instead of a traceback."""

    def __call__(self, parser, namespace, values, option_string=None):
        from mmengine.config import DictAction
        for item in values if isinstance(values, list) else [values]:
            key, sep, _ = item.partition('=')
            if not sep or not key:
                parser.error(f'{option_string}: {item!r} is not KEY=VALUE '
                             '(e.g. train_cfg.multiplier=2)')
        DictAction(self.option_strings, self.dest)(parser, namespace, values, option_string)


# torch.distributed's env:// rendezvous without the variables its launchers set
_NO_LAUNCHER_ENV = re.compile(r'env:// rendezvous: environment variable (\w+) expected')


def launcher_error(exc: BaseException) -> Optional[str]:
    """One line for ``--launcher pytorch`` run without torch's launcher, else None."""
    found = _NO_LAUNCHER_ENV.search(str(exc)) if isinstance(exc, ValueError) else None
    if found:
        return (f'--launcher pytorch needs the variables its launcher sets ({found.group(1)} is '
                'not set): start it with tools/dist_train.sh CONFIG GPUS (or torchrun), '
                'or drop --launcher')
    return None


def output_error(exc: BaseException) -> Optional[str]:
    """One line for a file the command could not write or read (path and cause), else None."""
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError) and exc.filename:
        return f'{exc.filename}: {exc.strerror or exc}'
    return None


def quiet_known_warnings() -> None:
    """Drop the one warning every tool printed three times before its first line:
    setuptools' ``pkg_resources is deprecated`` (mmengine imports and reloads
    ``pkg_resources`` to find packages). Matched by message and by the modules it
    is attributed to (mmengine's package_utils, importlib's reload); every other
    warning is shown as before."""
    warnings.filterwarnings('ignore', message=r'pkg_resources is deprecated as an API',
                            category=UserWarning,
                            module=r'mmengine\.utils\.package_utils|importlib')


def run_main(main: Callable[[], object]) -> None:
    """Call ``main``; known user errors print ``error: ...`` and exit 2
    (``RETHINK_DEBUG=1`` shows their tracebacks instead)."""
    quiet_known_warnings()
    debug = os.environ.get(DEBUG_ENV) == '1'
    try:
        main()
    except (UserInputError, FileNotFoundError) as e:
        if debug:
            raise
        msg = str(e) if isinstance(e, UserInputError) else \
            f'file not found: {e.filename or e}'
        print(f'error: {msg}', file=sys.stderr)
        sys.exit(2)
    except (TypeError, ValueError, OSError) as e:
        msg = config_error(e) or launcher_error(e) or output_error(e)
        if debug or msg is None:
            raise
        print(f'error: {msg}', file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        sys.exit(130)
