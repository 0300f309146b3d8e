"""Per-stage ledger: every record in is either out or dropped with a reason.

The ledger is what lets a clinician trust that a variant absent from the report was
filtered for a stated reason rather than lost. Counts must reconcile:
``records_in + added == records_out + sum(dropped)``; ``added`` covers records one input
becomes several of (multi-allelic splitting). ``flagged`` counts rows kept but marked
(e.g. excluded from ranking) and does not enter the balance.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from varrank.core.errors import InputError
from varrank.core.json_schema import check, check_written
from varrank.core.table_io import atomic_write_text

LEDGER_SCHEMA_VERSION = 1


def throughput_note(n: int, elapsed: float) -> str:
    """'N variants in T s (R variants/s)' for a ledger note; just 'N variants' when
    SOURCE_DATE_EPOCH asks for reproducible outputs (a timing differs on every run, and the
    ledger reaches report.json)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return f"{n} variants"
    return f"{n} variants in {elapsed:.1f}s ({n / max(elapsed, 1e-9):.1f} variants/s)"
MAX_EXAMPLES_PER_REASON = 5


@dataclass
class Ledger:
    stage: str
    patient: str
    records_in: int = 0
    records_out: int = 0
    added: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, example: str | None = None, n: int = 1) -> None:
        """Count ``n`` records dropped for ``reason``; keep a few examples for the report."""
        self.dropped[reason] += n
        self._example(reason, example)

    def add(self, reason: str, n: int = 1) -> None:
        self.added[reason] += n

    def flag(self, reason: str, example: str | None = None, n: int = 1) -> None:
        self.flagged[reason] += n
        self._example(reason, example)

    def _example(self, reason: str, example: str | None) -> None:
        if example is None:
            return
        bucket = self.examples.setdefault(reason, [])
        if len(bucket) < MAX_EXAMPLES_PER_REASON:
            bucket.append(example)

    @property
    def balanced(self) -> bool:
        return self.records_in + sum(self.added.values()) == self.records_out + sum(
            self.dropped.values()
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": LEDGER_SCHEMA_VERSION,
            "stage": self.stage,
            "patient": self.patient,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "added": dict(sorted(self.added.items())),
            "dropped": dict(sorted(self.dropped.items())),
            "flagged": dict(sorted(self.flagged.items())),
            "examples": self.examples,
            "notes": self.notes,
            "balanced": self.balanced,
        }

    def write(self, path: Path) -> Path:
        if not self.balanced:
            raise AssertionError(
                f"ledger for {self.stage} does not balance: {self.to_dict()}"
            )
        doc = self.to_dict()
        check_written(doc, "ledger")
        atomic_write_text(path, json.dumps(doc, indent=2) + "\n")
        return path

    @classmethod
    def read(cls, path: Path) -> "Ledger":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("ledger not found", path=path) from None
        except (ValueError, UnicodeDecodeError) as err:
            raise InputError(f"ledger is not valid JSON ({err})", path=path) from None
        check(data, "ledger", path, InputError, "not a varrank ledger",
              hint="give the <ID>.<stage>.ledger.json a varrank stage wrote")
        return cls(
            stage=data["stage"],
            patient=data["patient"],
            records_in=data["records_in"],
            records_out=data["records_out"],
            added=Counter(data.get("added", {})),
            dropped=Counter(data.get("dropped", {})),
            flagged=Counter(data.get("flagged", {})),
            examples=data.get("examples", {}),
            notes=data.get("notes", []),
        )
