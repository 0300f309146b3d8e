"""PP3 and BP4: computational evidence, splicing and missense, counted once.

Splicing: ClinGen SVI Splicing Subgroup (Walker et al., AJHG 2023;110:1046): SpliceAI
max delta score >= 0.2 -> PP3 (Supporting), <= 0.1 -> BP4 (Supporting); between the two,
neither. For missense variants BP4 needs *both* no predicted splice effect and a benign
missense prediction; PP3 takes the stronger of the two predictions, never both.

Missense: Pejaver et al., AJHG 2022;109:2163, Table 2 calibrated intervals for REVEL
(PP3 up to Strong, BP4 up to Very Strong) and CADD (PP3 up to Moderate, BP4 up to Strong);
Bergquist et al., Genet Med 2025;27:101402 for AlphaMissense (PP3 up to Strong, BP4 up to
Moderate). One tool decides per variant, the first of ``Thresholds.missense_tools``
(REVEL, AlphaMissense, CADD) that has a score, as Pejaver recommend; the text names every
tool's value and the one that decided.

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
# tool name -> (columns, in order of preference; PP3 thresholds attr, BP4 thresholds attr)
MISSENSE_TOOLS = {"REVEL": (("revel_score", "revel"), "revel_pp3", "revel_bp4"),
                  "AlphaMissense": (("alphamissense_score",), "alphamissense_pp3",
                                    "alphamissense_bp4"),
                  "CADD": (("cadd_phred",), "cadd_pp3", "cadd_bp4")}


def missense_scores(row: Row) -> dict[str, float]:
    """Tool name -> the variant's score, for every missense predictor it has one of."""
    scores: dict[str, float] = {}
    for tool, (columns, _, _) in MISSENSE_TOOLS.items():
        value = next((row.get(c) for c in columns if row.get(c) is not None), None)
        if value is not None:
            scores[tool] = float(value)
    return scores


def _missense_prediction(row: Row, ctx: RuleContext) -> tuple[str | None, str | None, str]:
    """(pathogenic strength, benign strength, description) from the deciding tool."""
    scores = missense_scores(row)
    tool = next((t for t in ctx.thresholds.missense_tools if t in scores), None)
    if tool is None:
        return None, None, ""
    value, (_, pp3_attr, bp4_attr) = scores[tool], MISSENSE_TOOLS[tool]
    others = ", ".join(f"{t}={v:.3g}" for t, v in scores.items() if t != tool)
    decided = f" ({tool} decides{'; also ' + others if others else ''})"
    for strength in STRENGTH_ORDER:
        cut = getattr(ctx.thresholds, pp3_attr).get(strength)
        if cut is not None and value >= cut:
            return strength, None, f"{tool}={value:.3g} >= {cut}{decided}"
    for strength in STRENGTH_ORDER:
        cut = getattr(ctx.thresholds, bp4_attr).get(strength)
        if cut is not None and value <= cut:
            return None, strength, f"{tool}={value:.3g} <= {cut}{decided}"
    return None, None, f"{tool}={value:.3g} in the indeterminate interval{decided}"


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
                                    "predictor (REVEL, AlphaMissense or CADD) too")
    if benign_m:
        return met("BP4", f"{splice_text}; {m_text}", benign_m)
    return not_met("BP4", f"{splice_text}; {m_text}")


def pangolin_rank_points(row: Row, ctx: RuleContext, min_delta: float, points: int
                         ) -> tuple[int, str, str]:
    """(ranking points, status, reason) from Pangolin: ranking only, never the ACMG class.

    No ClinGen calibration of Pangolin is published (Walker 2023 calibrated SpliceAI only),
    so its score moves the rank, not the class, and only when SpliceAI did not already count
    the splice prediction (unscored, or below its PP3 level) and the variant is not a null
    variant (PVS1 counts the loss)."""
    value = row.get("pangolin_max")
    if value is None:
        status = row.get("pangolin_status")
        return 0, "not_evaluated", f"Pangolin not available{f' ({status})' if status else ''}"
    if row.consequences() & NULL_CONSEQUENCES:
        return 0, "not_met", "null variant: the predicted loss is counted by PVS1"
    spliceai = row.get("spliceai_max")
    if spliceai is not None and spliceai >= ctx.thresholds.spliceai_pp3:
        return 0, "not_met", f"Pangolin={value:.2f}; SpliceAI={spliceai:.2f} already counts"
    if value >= min_delta:
        return points, "met", f"Pangolin={value:.2f} >= {min_delta}"
    return 0, "not_met", f"Pangolin={value:.2f} < {min_delta}"

