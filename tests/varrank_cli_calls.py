"""varrank's main() called in-process by tests, leaving the session's logging as it was.

main() configures the root logger (level and handlers) for a console run; a test that calls
it in-process must put both back, or later tests' caplog/capfd see the wrong logging.
"""

from __future__ import annotations

import logging


def run_main(argv: list[str]) -> int:
    """Exit code of ``varrank.cli.main(argv)``; root logger level and handlers restored."""
    from varrank.cli import main

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        return main(argv)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
