"""ACMG/AMP criteria for mtDNA variants: the ClinGen specifications of McCormick et al. 2020.

McCormick EM, et al. Specifications of the ACMG/AMP standards and guidelines for
mitochondrial DNA variant interpretation. Hum Mutat 2020;41:2028-2057. On chrM/MT these rules
replace the nuclear ones of the same code (frequency.py, computational.py), whose inputs
(nuclear gnomAD, REVEL/CADD/AlphaMissense, SpliceAI) do not describe mtDNA:

- BA1 / BS1 / PM2_Supporting: the homoplasmic allele frequency, the highest of gnomAD v3.1
  chrM (AF_hom) and HelixMTdb (AF_hom): >= 1% BA1, >= 0.5% BS1, absent or < 0.002% PM2. The
  heteroplasmic frequency is shown in the reason but does not decide: population
  heteroplasmies are mostly low-level and somatic (Laricchia 2022).
- PP3 / BP4: MitoTIP for tRNA variants (Q1 score >= 16.25: PP3; Q4 < 8.44: BP4) and APOGEE
  (MitImpact) for missense variants (score > 0.5, its "Pathogenic" class: PP3; else BP4).
  Other mtDNA variants (rRNA, control region) have no calibrated predictor: not evaluated.
- MITOMAP's disease status is shown as an assertion of its own, like ClinVar (PP5 retired,
  Biesecker 2018): "Cfrm" (confirmed) weighs in the ranking, never in the ACMG class.

Criteria of the specification that need data a variant table lacks are not evaluated here
and are listed in docs/mitochondrial.md (PS2/PM6 de novo with maternal testing, PS3/BS3
functional studies incl. cybrids and single-fibre segregation, PS4 case counts, PP1/BS4
segregation with heteroplasmy, PM5/PS1 tRNA/protein position rules, BS2, PP4, BP5).
"""

from __future__ import annotations

from typing import Callable

from varrank.core.vocab import EvidenceStrength
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.thresholds import Thresholds
from varrank.prioritise.acmg.evidence import (MET, NOT_EVALUATED, NOT_MET, PATHOGENIC, Evidence,
                                              Row, met, not_evaluated, not_met)

CITATION = "McCormick 2020"
MITOMAP_CODE = "MITOMAP"
HOM_AF_COLUMNS = (("gnomad_mt_af_hom", "gnomAD chrM"), ("helixmtdb_af_hom", "HelixMTdb"))
HET_AF_COLUMNS = (("gnomad_mt_af_het", "gnomAD chrM"), ("helixmtdb_af_het", "HelixMTdb"))
CONFIRMED = "Cfrm"
ABSENT = "homoplasmic allele absent from gnomAD chrM and HelixMTdb"


def homoplasmic_af(row: Row) -> tuple[float | None, str | None]:
    """(highest homoplasmic AF, its source); (None, None) when no source has the allele."""
    found = [(float(row.get(c)), label) for c, label in HOM_AF_COLUMNS if row.get(c) is not None]
    return max(found) if found else (None, None)


def _het_text(row: Row) -> str:
    parts = [f"{label} AF_het={float(row.get(c)):.3g}" for c, label in HET_AF_COLUMNS
             if row.get(c) is not None]
    return f"; {', '.join(parts)}" if parts else ""


def _frequency(row: Row, ctx: RuleContext, code: str
               ) -> tuple[float | None, str, str] | Evidence:
    """(homoplasmic AF, its text, the heteroplasmic frequencies' text) or not evaluated."""
    if not ctx.mt_frequency_data:
        return not_evaluated(code, "no mtDNA population frequencies (bundle without gnomAD chrM "
                                   f"or HelixMTdb; {CITATION})")
    af, source = homoplasmic_af(row)
    return af, f"{source} AF_hom={af:.3g}" if af is not None else "", _het_text(row)


def _frequency_rule(code: str, decide: Callable[[float | None, str, str, Thresholds], Evidence]
                    ) -> Callable[[Row, RuleContext], Evidence]:
    """A frequency criterion: not evaluated without the sources, else ``decide`` on the
    homoplasmic AF (None: absent), its text and the heteroplasmic frequencies' text."""
    def rule(row: Row, ctx: RuleContext) -> Evidence:
        got = _frequency(row, ctx, code)
        return got if isinstance(got, Evidence) else decide(*got, ctx.thresholds)
    rule.__name__ = code.lower()
    return rule


def _ba1(af: float | None, text: str, het: str, t: Thresholds) -> Evidence:
    if af is None:
        return not_met("BA1", f"{ABSENT}{het}")
    if af >= t.mt_ba1_af:
        return met("BA1", f"{text} >= {t.mt_ba1_af}{het} ({CITATION})")
    return not_met("BA1", f"{text} < {t.mt_ba1_af}{het}")


def _bs1(af: float | None, text: str, het: str, t: Thresholds) -> Evidence:
    if af is None:
        return not_met("BS1", f"{ABSENT}{het}")
    if af >= t.mt_ba1_af:
        return not_met("BS1", f"{text}: BA1 applies instead")
    if af >= t.mt_bs1_af:
        return met("BS1", f"{text} >= {t.mt_bs1_af}{het} ({CITATION})")
    return not_met("BS1", f"{text} < {t.mt_bs1_af}{het}")


def _pm2(af: float | None, text: str, het: str, t: Thresholds) -> Evidence:
    if af is None:
        return met("PM2", f"{ABSENT}{het} ({CITATION})", t.mt_pm2_strength)
    if af < t.mt_pm2_af:
        return met("PM2", f"{text} < {t.mt_pm2_af}{het} ({CITATION})", t.mt_pm2_strength)
    return not_met("PM2", f"{text} >= {t.mt_pm2_af}{het}")


ba1 = _frequency_rule("BA1", _ba1)
bs1 = _frequency_rule("BS1", _bs1)
pm2 = _frequency_rule("PM2", _pm2)


def _predictor(row: Row, ctx: RuleContext, code: str) -> Evidence:
    """PP3 or BP4 from MitoTIP (tRNA) or APOGEE (missense), whichever scored the allele."""
    t = ctx.thresholds
    tip, apogee = row.get("mitotip_score"), row.get("apogee_score")
    if tip is not None:
        tip = float(tip)
        text = f"MitoTIP {tip:.2f} ({row.get('mitotip_quartile') or 'quartile unknown'})"
        hit = tip >= t.mitotip_pp3 if code == "PP3" else tip < t.mitotip_bp4
        cut = f">= {t.mitotip_pp3}" if code == "PP3" else f"< {t.mitotip_bp4}"
    elif apogee is not None:
        apogee = float(apogee)
        text = f"APOGEE {apogee:.2f} ({row.get('apogee_class') or 'class unknown'})"
        hit = apogee > t.apogee_pp3 if code == "PP3" else apogee <= t.apogee_pp3
        cut = f"> {t.apogee_pp3}" if code == "PP3" else f"<= {t.apogee_pp3}"
    elif not ctx.mt_predictor_data:
        return not_evaluated(code, "no mtDNA predictors in the bundle (MitoTIP, MitImpact)")
    else:
        return not_evaluated(code, "no MitoTIP or APOGEE score (not a tRNA or missense SNV; "
                                   f"no calibrated predictor, {CITATION})")
    if hit:
        return met(code, f"{text} {cut} ({CITATION})")
    return not_met(code, f"{text}, not {cut}")


def pp3(row: Row, ctx: RuleContext) -> Evidence:
    return _predictor(row, ctx, "PP3")


def bp4(row: Row, ctx: RuleContext) -> Evidence:
    return _predictor(row, ctx, "BP4")


def mitomap_assertion(row: Row, ctx: RuleContext) -> Evidence:
    """MITOMAP's disease status as an assertion (ranking only): Cfrm met, others shown."""
    if not ctx.mitomap_data:
        return Evidence(MITOMAP_CODE, NOT_EVALUATED, "no MITOMAP disease table in the bundle")
    status = row.get("mitomap_status")
    if status is None:
        return Evidence(MITOMAP_CODE, NOT_MET, "not in MITOMAP's disease table")
    disease = row.get("mitomap_disease") or "disease not named"
    text = f"MITOMAP {status}: {disease}"
    if str(status).startswith(CONFIRMED):
        return Evidence(MITOMAP_CODE, MET, text, EvidenceStrength.STRONG, PATHOGENIC)
    return Evidence(MITOMAP_CODE, NOT_MET, text, None, PATHOGENIC)


def mitomap_rank_points(item: Evidence, ctx: RuleContext) -> int:
    """Ranking weight of the MITOMAP item: a confirmed pathogenic status only."""
    return ctx.thresholds.mitomap_confirmed_rank_points if item.status == MET else 0


RULES = {"BA1": ba1, "BS1": bs1, "PM2": pm2, "PP3": pp3, "BP4": bp4}
