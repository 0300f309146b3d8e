"""The exclusion summary: why variants are not in the report, from every stage's ledger.

The ledger (core/ledger.py) of each stage balances records in against records out plus
records dropped by reason. The report lists each stage's counts and reasons and checks that
the chain reconciles with the table it was given, so a variant that is absent from the
findings is either excluded for a stated reason or visibly unaccounted for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from varrank.core.ledger import Ledger
from varrank.report.values import clean

STAGE_ORDER = ("ingest", "annotate", "score", "prioritise", "report")


def read_ledger(path: Path) -> dict[str, Any]:
    """Load one ledger JSON, checked against the ledger schema (core.ledger is the writer)."""
    return clean(Ledger.read(path).to_dict())


def _reasons(counts: Any, examples: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    if not isinstance(counts, dict):
        return []
    return [{"reason": reason, "count": count, "kind": kind,
             "examples": [str(e) for e in (examples.get(reason) or [])][:5]}
            for reason, count in sorted(counts.items(), key=lambda kv: -(kv[1] or 0))]


def summarise(ledgers: list[dict[str, Any]], table_rows: int,
              table_excluded: dict[str, int]) -> dict[str, Any]:
    """Per-stage counts and reasons, plus a reconciliation check against the table."""
    ordered = sorted(ledgers, key=lambda lg: (STAGE_ORDER.index(lg["stage"])
                                              if lg["stage"] in STAGE_ORDER else 99))
    stages = []
    for ledger in ordered:
        examples = ledger.get("examples") or {}
        dropped = ledger.get("dropped") or {}
        added = ledger.get("added") or {}
        balanced = (ledger["records_in"] + sum((added or {}).values())
                    == ledger["records_out"] + sum((dropped or {}).values()))
        stages.append({
            "stage": ledger["stage"], "records_in": ledger["records_in"],
            "records_out": ledger["records_out"], "added": added,
            "reasons": _reasons(dropped, examples, "dropped")
            + _reasons(ledger.get("flagged"), examples, "flagged"),
            "notes": ledger.get("notes") or [], "balanced": balanced})
    checks = []
    for stage in stages:
        if not stage["balanced"]:
            checks.append(f"{stage['stage']} ledger does not balance: records are unaccounted for")
    if stages and stages[-1]["records_out"] != table_rows:
        checks.append(f"the last ledger ({stages[-1]['stage']}) reports "
                      f"{stages[-1]['records_out']} records out but the table has {table_rows} rows")
    return {
        "stages": stages,
        "table_rows": table_rows,
        "excluded_from_ranking": [{"reason": r, "count": n} for r, n in
                                  sorted(table_excluded.items(), key=lambda kv: -kv[1])],
        "reconciled": not checks and bool(stages),
        "problems": checks,
    }
