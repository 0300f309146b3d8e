"""PP3 and BP4: computational evidence, splicing and missense, counted once.

Splicing: ClinGen SVI Splicing Subgroup (Walker et al., AJHG 2023;110:1046): SpliceAI
max delta score >= 0.2 -> PP3 (Supporting), <= 0.1 -> BP4 (Supporting); between the two,
neither. For missense variants BP4 needs *both* no predicted splice effect and a benign
missense prediction; PP3 takes the stronger of the two predictions, never both.

Missense: Pejaver et al., AJHG 2022;109:2163, Table 2 calibrated intervals for REVEL
(PP3 up to Strong, BP4 up to Very Strong) and CADD (PP3 up to Moderate, BP4 up to Strong).
One tool is used per variant (REVEL before CADD), as Pejaver recommend.

Null variants (PVS1 consequences) do not get PP3: PVS1 already counts the predicted loss
(no double counting, Abou Tayoun 2018 / Walker 2023).
"""

from __future__ import annotations

from varrank.core.so_terms import NULL_CONSEQUENCES
from varrank.core.vocab import EvidenceStrength as S
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import (BENIGN, PATHOGENIC, Evidence, Row, met,
                                              not_evaluated, not_met)

STRENGTH_ORDER = (S.VERY_STRONG, S.STRONG, S.MODERATE, S.SUPPORTING)
# (column, tool name, PP3 thresholds attr, BP4 thresholds attr), in order of preference
MISSENSE_TOOLS = (("revel_score", "REVEL", "revel_pp3", "revel_bp4"),
                  ("revel", "REVEL", "revel_pp3", "revel_bp4"),
                  ("cadd_phred", "CADD", "cadd_pp3", "cadd_bp4"))


def _missense_prediction(row: Row, ctx: RuleContext) -> tuple[str | None, str | None, str]:
    """(pathogenic strength, benign strength, description) from the first tool present."""
    for column, tool, pp3_attr, bp4_attr in MISSENSE_TOOLS:
        value = row.get(column)
        if value is None:
            continue
        value = float(value)
        for strength in STRENGTH_ORDER:
            cut = getattr(ctx.thresholds, pp3_attr).get(strength)
            if cut is not None and value >= cut:
                return strength, None, f"{tool}={value:.3g} >= {cut}"
        for strength in STRENGTH_ORDER:
            cut = getattr(ctx.thresholds, bp4_attr).get(strength)
            if cut is not None and value <= cut:
                return None, strength, f"{tool}={value:.3g} <= {cut}"
        return None, None, f"{tool}={value:.3g} in the indeterminate interval"
    return None, None, ""


def _splice(row: Row, ctx: RuleContext) -> tuple[str | None, str]:
    """PATHOGENIC / BENIGN / "indeterminate" / None (not scored), and a description."""
    value = row.get("spliceai_max")
    if value is None:
        status = row.get("score_status")
        return None, f"SpliceAI not available{f' ({status})' if status else ''}"
    t = ctx.thresholds
    if value >= t.spliceai_pp3:
        return PATHOGENIC, f"SpliceAI={value:.2f} >= {t.spliceai_pp3}"
    if value <= t.spliceai_bp4:
        return BENIGN, f"SpliceAI={value:.2f} <= {t.spliceai_bp4}"
    return "indeterminate", f"SpliceAI={value:.2f} between {t.spliceai_bp4} and {t.spliceai_pp3}"


def _stronger(a: str | None, b: str | None) -> str | None:
    ranked = [s for s in (a, b) if s]
    return min(ranked, key=STRENGTH_ORDER.index) if ranked else None


def pp3(row: Row, ctx: RuleContext) -> Evidence:
    csq = row.consequences()
    if csq & NULL_CONSEQUENCES:
        return not_met("PP3", "null variant: the predicted loss is counted by PVS1")
    splice, splice_text = _splice(row, ctx)
    missense = "missense_variant" in csq
    path_m, _, m_text = _missense_prediction(row, ctx) if missense else (None, None, "")
    strength = _stronger(S.SUPPORTING if splice == PATHOGENIC else None, path_m)
    texts = "; ".join(t for t in (splice_text, m_text) if t)
    if strength:
        return met("PP3", texts, strength)
    if splice is None and not m_text:
        return not_evaluated("PP3", texts or "no computational predictions")
    return not_met("PP3", texts)


def bp4(row: Row, ctx: RuleContext) -> Evidence:
    csq = row.consequences()
    if csq & NULL_CONSEQUENCES:
        return not_met("BP4", "null variant")
    splice, splice_text = _splice(row, ctx)
    if splice is None:
        return not_evaluated("BP4", splice_text)
    if splice != BENIGN:
        return not_met("BP4", splice_text)
    if "missense_variant" not in csq:
        if not row.has_column("consequence"):
            return met("BP4", f"{splice_text} (consequence unknown)")
        return met("BP4", splice_text)
    _, benign_m, m_text = _missense_prediction(row, ctx)
    if not m_text:
        return not_evaluated("BP4", f"{splice_text}, but missense needs a calibrated missense "
                                    "predictor (REVEL/CADD) too")
    if benign_m:
        return met("BP4", f"{splice_text}; {m_text}", benign_m)
    return not_met("BP4", f"{splice_text}; {m_text}")
