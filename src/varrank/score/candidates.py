"""Which variants SCORE runs the models on, and why the others are not scored.

Running SpliceAI on every common polymorphism of a genome wastes hours and adds nothing to a
rare-disease ranking; the default follows common practice in diagnostic pipelines: alleles
inside an annotated gene with population frequency <= 1% (or unknown), the frequency being
the filtering AF of :mod:`varrank.core.frequency`. Exact thresholds are
parameters; ANNOTATE may have been skipped, so absent frequency columns mean "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from varrank.core.frequency import DEFAULT_MAX_AF, filtering_af_of_table
from varrank.score.annotation import SpliceAnnotation



@dataclass(frozen=True)
class CandidatePolicy:
    max_af: float | None = DEFAULT_MAX_AF  # None: no frequency filter
    require_gene: bool = True


def select(table: pa.Table, annotation: SpliceAnnotation,
           policy: CandidatePolicy) -> list[str | None]:
    """Per row None (candidate) or the reason it is not a candidate."""
    chroms = table.column("chrom").to_pylist()
    positions = table.column("pos").to_pylist()
    afs = filtering_af_of_table(table)
    reasons: list[str | None] = []
    for chrom, pos, af in zip(chroms, positions, afs):
        if policy.require_gene and not annotation.genes_at(chrom, int(pos)):
            reasons.append("not_in_annotated_gene")
        elif policy.max_af is not None and af is not None and af > policy.max_af:
            reasons.append(f"population_af_above_{policy.max_af:g}")
        else:
            reasons.append(None)
    return reasons
