"""Every dropped record, counted in the ledger and listed one per line in a TSV.

The ledger keeps counts and a few examples per reason (what the report shows); the dropped
TSV keeps them all, with the input line, so a reviewer can check any single decision.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from varrank.core.ledger import Ledger
from varrank.core.schema import allele_label

DROPPED_COLUMNS = ("line", "chrom", "pos", "ref", "alt", "reason", "detail")


def _clean(value: object) -> str:
    # VCF fields are untrusted: keep the TSV one record per line whatever they contain.
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


class DropRecorder:
    def __init__(self, ledger: Ledger, tsv_path: Path) -> None:
        self.ledger = ledger
        self.path = tsv_path
        # mtime 0 in the gzip header: the same records give the same bytes on every run (the
        # file's sha256 is in report.json's manifest)
        raw = gzip.GzipFile(tsv_path, "wb", compresslevel=1, mtime=0)
        self._handle = io.TextIOWrapper(raw, encoding="utf-8")
        self._handle.write("\t".join(DROPPED_COLUMNS) + "\n")

    def drop(self, reason: str, line: int | str, chrom: str, pos: int, ref: str, alt: str,
             detail: str = "", n: int = 1) -> None:
        example = allele_label(chrom, pos, ref, alt) + (f" ({detail})" if detail else "")
        self.ledger.drop(reason, example, n=n)
        self._handle.write("\t".join(_clean(v) for v in (line, chrom, pos, ref, alt, reason, detail)) + "\n")

    def close(self) -> None:
        self._handle.close()
