"""Run a tool's ``main`` so that bad input ends in one clear line."""
import os
import re
import sys
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


def run_main(main: Callable[[], object]) -> None:
    """Call ``main``; known user errors print ``error: ...`` and exit 2
    (``RETHINK_DEBUG=1`` shows their tracebacks instead)."""
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
    except TypeError as e:
        msg = config_error(e)
        if debug or msg is None:
            raise
        print(f'error: {msg}', file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        sys.exit(130)
