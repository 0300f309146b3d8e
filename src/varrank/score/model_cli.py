"""`varrank model` subcommand (placeholder until it lands)."""

from __future__ import annotations

import argparse

from varrank.core.errors import VarrankError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("model", help="model (not yet implemented)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    raise VarrankError("`varrank model` is not implemented yet")
