"""Precomputed SpliceAI scores standing in for live ones.

Illumina publishes SpliceAI scores of every SNV and of 1-base insertions / 1-4-base deletions
genome-wide (``spliceai_scores.{raw,masked}.{snv,indel}.hg3*.vcf.gz``, -D 50). A whole genome
scored live costs GPU hours; looked up, it costs seconds. ``varrank resources build
--spliceai-scores`` loads such files as a bundle source, ANNOTATE copies each allele's INFO
entries into ``spliceai_precomputed`` and records the set's release, -M and -D in the footer,
and SCORE takes those entries first and scores live only the candidates they lack.

The entries are used only when they were computed as this run would compute them (same -M,
same -D) and ``--rescore`` is not given; otherwise every candidate is scored live and the
ledger says why. Values are taken as the file has them (two decimals, as spliceai 1.3.1 and
SCORE's live pass both write them). Of several genes, the entry with the largest delta is
chosen, first in file order on a tie, as the live pass chooses among the annotation's genes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import Stage

COLUMN = "spliceai_precomputed"
N_FIELDS = 10  # ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL


@dataclass
class SpliceDeltas:
    """One gene's four delta scores and their positions: the fields the table holds for a
    SpliceAI score, whether read from a precomputed entry or scored live (``SpliceScore``
    adds the live run's strand and probability tracks)."""

    gene: str
    ds_ag: float
    ds_al: float
    ds_dg: float
    ds_dl: float
    dp_ag: int
    dp_al: int
    dp_dg: int
    dp_dl: int

    @property
    def max_delta(self) -> float:
        return max(self.ds_ag, self.ds_al, self.ds_dg, self.ds_dl)


def parse_entry(fields: list[str]) -> SpliceDeltas | None:
    """One ``ALLELE|SYMBOL|DS_AG|...|DP_DL`` entry split on '|'; None when a value is missing
    or not a number (such an allele is scored live rather than given a made-up score)."""
    if len(fields) != N_FIELDS or not fields[1]:
        return None
    try:
        ds = [float(v) for v in fields[2:6]]
        dp = [int(v) for v in fields[6:10]]
    except ValueError:
        return None
    return SpliceDeltas(fields[1], *ds, *dp)


def best_entry(text: str | None, alt: str) -> SpliceDeltas | None:
    """The entry with the largest delta among those of ``alt``.

    A record of one allele whose ALLELE field differs from ``alt`` (an indel the bundle
    left-aligned, so its ALT was rewritten) still belongs to it; entries naming several
    alleles are matched by ALLELE only.
    """
    if not text:
        return None
    entries = [e.split("|") for e in text.split(",") if e]
    alleles = {e[0].upper() for e in entries}
    mine = [e for e in entries if e[0].upper() == alt.upper()] or (
        entries if len(alleles) == 1 else [])
    best: SpliceDeltas | None = None
    for fields in mine:
        score = parse_entry(fields)
        if score is not None and (best is None or score.max_delta > best.max_delta):
            best = score
    return best


@dataclass(frozen=True)
class Precomputed:
    """The table's precomputed entries, when this run may use them."""

    entries: list[Any]
    release: str

    def score(self, row: int, alt: str) -> SpliceDeltas | None:
        return best_entry(self.entries[row], alt)


def for_run(table: pa.Table, metadata: TableMetadata, *, mask: bool, distance: int,
            rescore: bool) -> tuple[Precomputed | None, str | None]:
    """(the usable entries or None, a ledger note saying what was decided and why)."""
    annotate = metadata.stage_details(Stage.ANNOTATE) or {}
    facts = annotate.get("spliceai_scores")
    if not facts or COLUMN not in table.column_names:
        return None, None
    label = f"precomputed SpliceAI scores {facts['source']} ({facts['release']}, " \
            f"{'masked' if facts['masked'] else 'raw'}, -D {facts['distance']})"
    if rescore:
        return None, f"{label} not used: --rescore scores every candidate live"
    if bool(facts["masked"]) != mask or int(facts["distance"]) != distance:
        return None, (f"{label} not used: this run scores with -M {int(mask)} -D {distance}; "
                      "every candidate scored live")
    return Precomputed(table.column(COLUMN).to_pylist(), str(facts["release"])), label
