"""`varrank score` subcommand (placeholder until the stage lands)."""

from __future__ import annotations

import argparse

from varrank.core.errors import VarrankError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("score", help="SCORE stage (not yet implemented)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    raise VarrankError("the score stage is not implemented yet")
