"""`varrank` command line: one subcommand per pipeline stage, plus run/resources/model.

Each stage owns its argument parser (``varrank.<stage>.cli.register``) so that a stage's
options live next to its code; this module only assembles them and turns user errors into
one readable line plus a hint (exit 2) instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from varrank import __version__
from varrank.core.errors import VarrankError

# (module, what it adds); order is the order shown in --help.
COMMAND_MODULES = [
    "varrank.ingest.cli",
    "varrank.annotate.cli",
    "varrank.score.cli",
    "varrank.prioritise.cli",
    "varrank.report.cli",
    "varrank.run_cli",
    "varrank.contract_cli",
    "varrank.annotate.resources_cli",
    "varrank.score.model_cli",
    "varrank.testdata.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="varrank",
        description="Clinical variant annotation and prioritisation, one patient at a time.",
    )
    parser.add_argument("--version", action="version", version=f"varrank {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s varrank %(levelname)s %(message)s",
                        stream=sys.stderr)
    try:
        result = args.func(args)
    except VarrankError as err:
        print(f"varrank {args.command}: error: {err.one_line()}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"varrank {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)
