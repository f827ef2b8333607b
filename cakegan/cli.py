"""The command-line scripts' shared exit: bad input is one sentence, never a traceback."""
from __future__ import annotations

import sys
from typing import Callable, NoReturn


def run_main(main: Callable[[], int]) -> NoReturn:
    """Exit with main's code; a ValueError (DataError, RunError...) or OSError prints one line, exits 2."""
    try:
        sys.exit(main())
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
