"""Run a tool's ``main`` so that bad input ends in one clear line."""
import sys
from typing import Callable

from projects.utils.errors import UserInputError


def run_main(main: Callable[[], object]) -> None:
    """Call ``main``; known user errors print ``error: ...`` and exit 2."""
    try:
        main()
    except (UserInputError, FileNotFoundError) as e:
        msg = str(e) if isinstance(e, UserInputError) else \
            f'file not found: {e.filename or e}'
        print(f'error: {msg}', file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        sys.exit(130)
