"""BP7: synonymous (or deep intronic) variant with no predicted splice impact.

Richards 2015: synonymous, no predicted splice impact, nucleotide not highly conserved.
Walker et al. AJHG 2023 (ClinGen SVI splicing) extend BP7 to intronic variants at or beyond
+7 / -21 and set "no splice impact" as SpliceAI <= 0.1. No conservation track (phyloP) is in
the bundle, so the conservation clause is not checked; the reason says so.
"""

from __future__ import annotations

import re

from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Evidence, Row, met, not_evaluated, not_met

_INTRON_OFFSET = re.compile(r"c\.[-*]?\d+([+-])(\d+)")


def intron_offset(hgvs_c: str | None) -> tuple[str, int] | None:
    """'c.123+7A>G' -> ('+', 7); 'c.124-21C>T' -> ('-', 21); exonic -> None."""
    if not hgvs_c:
        return None
    m = _INTRON_OFFSET.search(str(hgvs_c))
    return (m.group(1), int(m.group(2))) if m else None


def bp7(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("consequence"):
        return not_evaluated("BP7", "no consequence annotation (ANNOTATE not run)")
    csq = row.consequences()
    t = ctx.thresholds
    if "synonymous_variant" in csq:
        what = "synonymous"
    elif "intron_variant" in csq:
        offset = intron_offset(row.get("hgvs_c"))
        if offset is None:
            return not_evaluated("BP7", "intronic but no HGVS c. offset to check +7/-21")
        sign, dist = offset
        limit = t.bp7_intron_donor_min if sign == "+" else t.bp7_intron_acceptor_min
        if dist < limit:
            return not_met("BP7", f"intronic {sign}{dist} is within {sign}{limit} of the exon")
        what = f"deep intronic ({sign}{dist})"
    else:
        return not_met("BP7", "not synonymous or deep intronic")
    value = row.get("spliceai_max")
    if value is None:
        return not_evaluated("BP7", f"{what}, but no SpliceAI score")
    if value <= t.spliceai_bp4:
        return met("BP7", f"{what}; SpliceAI={value:.2f} <= {t.spliceai_bp4}; "
                          "conservation not checked (no conservation track)")
    return not_met("BP7", f"{what}; SpliceAI={value:.2f} > {t.spliceai_bp4}")
