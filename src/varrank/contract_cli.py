"""`varrank contract`: the stage registry as the JSON file the Nextflow side reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from varrank.core.contract import CONTRACT_FILE, contract_json
from varrank.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "contract", help="print (or write, or check) assets/stage_contract.json",
        description="The stage registry (src/varrank/core/contract.py) as JSON: stage order, "
                    "skip rules, output file names, each option's source, the safe-ID rule and "
                    "genome-build names. main.nf and lib/*.groovy read the written file; "
                    "`--check` fails when it is stale.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {CONTRACT_FILE} (in --root)")
    mode.add_argument("--check", action="store_true", help="exit 2 when the file is stale")
    parser.add_argument("--root", type=Path, default=Path("."), help="pipeline folder (default .)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    path = args.root / CONTRACT_FILE
    text = contract_json()
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    elif args.check:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            raise InputError("the stage contract file is stale", path=path,
                             hint="run `varrank contract --write` and commit the file")
    else:
        sys.stdout.write(text)
    return 0
