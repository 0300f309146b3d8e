"""From variant-table rows to report findings: the clinician's view of one variant.

A finding groups the columns of all stages under the questions a clinical scientist asks
(what is it, how sure is the call, is it rare, what do ClinVar and ACMG/AMP say, does it fit
the phenotype and the inheritance, does it touch splicing). Columns of a stage that did not
run are absent and the finding says so in ``missing`` rather than showing an empty cell.
"""

from __future__ import annotations

import json
import re
from typing import Any

from varrank.core.clinvar import is_pathogenic_assertion
from varrank.core.frequency import filtering_af
from varrank.core.vocab import AcmgClass
from varrank.report.mito import mito_finding
from varrank.report.values import clean, split_list

# SpliceAI delta-score cut-offs of Jaganathan et al. 2019 (Cell 176:535): 0.2 high recall,
# 0.5 recommended, 0.8 high precision. ClinGen SVI (Walker et al. 2023, AJHG 110:1046)
# uses >= 0.2 for PP3 and <= 0.1 for BP4. A splice plot is drawn from 0.2 up.
SPLICEAI_PLOT_THRESHOLD = 0.2
SPLICEAI_LEVELS = ((0.8, "high"), (0.5, "moderate"), (0.2, "low"))

ACMG_PLP = frozenset({AcmgClass.PATHOGENIC.lower(), AcmgClass.LIKELY_PATHOGENIC.lower(), "likely_pathogenic"})

# Fields of a finding and the stage whose columns fill them; used to say what is missing.
FIELD_STAGE = {
    "gene": "annotate", "transcript": "annotate", "hgvs_c": "annotate", "hgvs_p": "annotate",
    "consequence": "annotate", "clinvar": "annotate", "gnomad": "annotate",
    "spliceai": "score", "acmg": "prioritise", "phenotype": "prioritise",
    "inheritance_fit": "prioritise",
}


def variant_label(row: dict[str, Any]) -> str:
    return f"{row.get('chrom')}:{row.get('pos')} {row.get('ref')}>{row.get('alt')}"


def is_clinvar_plp(significance: Any) -> bool:
    """ClinVar CLNSIG says (likely) pathogenic, excluding 'Conflicting ...' aggregates."""
    return is_pathogenic_assertion(clean(significance))


def is_acmg_plp(acmg_class: Any) -> bool:
    text = (clean(acmg_class) or "").lower()
    return text in ACMG_PLP


def parse_evidence(raw: Any) -> list[dict[str, Any]]:
    """evidence_json -> list of items; text that is not JSON is kept as one ``text`` item."""
    raw = clean(raw)
    if raw is None:
        return []
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return [{"text": str(raw)}]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [{"text": str(data)}]
    items = []
    for item in data:
        item = clean(item)
        items.append(item if isinstance(item, dict) else {"text": item})
    return items


def _json_object(raw: Any) -> dict[str, Any] | None:
    """A JSON-object column (e.g. model_scores) as a dict; unreadable text kept as text."""
    raw = clean(raw)
    if raw is None:
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return {"text": str(raw)}
    return clean(data) if isinstance(data, dict) and data else None


def splice_level(score: float | None) -> str | None:
    if score is None:
        return None
    for cut, name in SPLICEAI_LEVELS:
        if score >= cut:
            return name
    return "none"


def _splice(row: dict[str, Any]) -> dict[str, Any] | None:
    names = (("ag", "acceptor gain"), ("al", "acceptor loss"), ("dg", "donor gain"),
             ("dl", "donor loss"))
    deltas = []
    for short, label in names:
        score = clean(row.get(f"spliceai_ds_{short}"))
        position = clean(row.get(f"spliceai_dp_{short}"))
        if score is not None:
            deltas.append({"kind": label, "score": score, "position": position})
    top = clean(row.get("spliceai_max"))
    if top is None and deltas:
        top = max(d["score"] for d in deltas)
    status = clean(row.get("score_status"))
    if top is None and not deltas:
        return {"status": status} if status else None
    return {"max": top, "level": splice_level(top), "gene": clean(row.get("spliceai_gene")),
            "status": status, "source": clean(row.get("spliceai_source")), "deltas": deltas,
            "predicted": top is not None and top >= SPLICEAI_PLOT_THRESHOLD}


def _stars(row: dict[str, Any]) -> int | None:
    stars = clean(row.get("clinvar_stars"))
    return int(stars) if stars is not None else None


def build_finding(row: dict[str, Any], stages: set[str], tracks: list[dict] | None = None) -> dict:
    """One row -> finding dict (every leaf cleaned; absent stages listed in ``missing``)."""
    get = lambda name: clean(row.get(name))  # noqa: E731
    finding = _finding_base(row, get)
    finding["clinvar"] = _clinvar(row, get)
    finding["gnomad"] = _gnomad(get, stages)
    if finding["gnomad"] is not None:
        # the one frequency rule SCORE's candidates and BA1/BS1/PM2 used (core.frequency)
        af, source = filtering_af(get)
        finding["filtering_af"] = {"af": af, "source": source}
    finding["spliceai"] = _splice(row)
    splice_tracks = [t for t in tracks or [] if "gain" not in t]
    if finding["spliceai"] is not None and splice_tracks:
        finding["spliceai"]["tracks"] = _track_of(splice_tracks, finding["spliceai"].get("gene"))
    finding["pangolin"] = _pangolin(get)
    pangolin_tracks = [t for t in tracks or [] if "gain" in t]
    if finding["pangolin"] is not None and pangolin_tracks:
        finding["pangolin"]["tracks"] = _track_of(pangolin_tracks, finding["pangolin"]["gene"])
    finding["xpresso"] = ({"delta": get("xpresso_delta"), "ref": get("xpresso_ref"),
                           "gene": get("xpresso_gene"), "status": get("xpresso_status")}
                          if get("xpresso_status") is not None else None)
    finding["missense"] = _missense(get, finding["evidence"])
    finding["mito"] = mito_finding(get)
    if any(get(c) is not None for c in ("acmg_class", "acmg_codes", "acmg_points")):
        finding["acmg"] = {"class": get("acmg_class"), "codes": split_list(row.get("acmg_codes")),
                           "points": get("acmg_points"),
                           "class_points": get("acmg_class_points")}
    if get("phenotype_score") is not None or get("phenotype_disease") is not None:
        finding["phenotype"] = {"score": get("phenotype_score"),
                                "disease": get("phenotype_disease"),
                                "disease_inheritance": split_list(row.get("disease_inheritance")) or None}
    finding["missing"] = _missing(finding, stages)
    return finding


def _finding_base(row: dict[str, Any], get) -> dict[str, Any]:
    """Every field of a finding, in report.json's order; the evidence blocks still empty."""
    return {
        "rank": get("rank"),
        "variant_key": get("variant_key"),
        "variant": {"chrom": get("chrom"), "pos": get("pos"), "ref": get("ref"),
                    "alt": get("alt"), "vcf_id": get("vcf_id"), "type": get("variant_type"),
                    "filter": get("filter"), "qual": get("qual")},
        "genotype": {"gt": get("gt"), "zygosity": get("zygosity"), "gq": get("gq"),
                     "dp": get("dp"), "ad_ref": get("ad_ref"), "ad_alt": get("ad_alt"),
                     "vaf": get("vaf"), "phased": get("phased")},
        "gene": get("gene_symbol"), "gene_id": get("gene_id"), "hgnc_id": get("gene_hgnc_id"),
        "transcript": get("transcript_id"),
        "mane_select": get("is_mane_select"), "hgvs_c": get("hgvs_c"), "hgvs_p": get("hgvs_p"),
        "consequence": split_list(row.get("consequence"), "&") or None,
        "impact": get("impact"), "exon": get("exon"), "intron": get("intron"),
        "clinvar": None, "gnomad": None, "spliceai": None, "pangolin": None, "xpresso": None,
        "missense": None, "mito": None,
        "acmg": None,
        "phenotype": None,
        "inheritance_fit": split_list(row.get("inheritance_fit")) or None,
        "scores": {"variant": get("variant_score"), "gene": get("gene_score"),
                   "gene_rank": get("gene_rank")},
        "gene_constraint": ({"pli": get("gene_pli"), "loeuf": get("gene_loeuf")}
                            if get("gene_pli") is not None or get("gene_loeuf") is not None
                            else None),
        "splice_distance": get("splice_distance"),
        "biotype": get("biotype"),
        "model_scores": _json_object(row.get("model_scores")),
        "evidence": parse_evidence(row.get("evidence_json")),
        "excluded_reason": get("excluded_reason"),
        "missing": [],
    }


def _clinvar(row: dict[str, Any], get) -> dict[str, Any] | None:
    if all(get(c) is None for c in ("clinvar_significance", "clinvar_variation_id")):
        return None
    return {"significance": get("clinvar_significance"),
            "review_status": get("clinvar_review_status"), "stars": _stars(row),
            "conditions": get("clinvar_conditions"),
            "conflicts": get("clinvar_significance_conflicts"),
            "variation_id": get("clinvar_variation_id"), "release": get("clinvar_release")}


def _track_of(tracks: list[dict], gene: Any) -> dict:
    """The track set of the gene the score was reported for (else the first)."""
    return next((t for t in tracks if t.get("gene") == gene), tracks[0])


def _pangolin(get) -> dict[str, Any] | None:
    """Pangolin's score beside SpliceAI's (it gives no PP3/BP4: no published calibration)."""
    if get("pangolin_max") is None and get("pangolin_status") is None:
        return None
    return {"max": get("pangolin_max"), "level": splice_level(get("pangolin_max")),
            "gain": get("pangolin_gain"), "gain_pos": get("pangolin_gain_pos"),
            "loss": get("pangolin_loss"), "loss_pos": get("pangolin_loss_pos"),
            "gene": get("pangolin_gene"), "status": get("pangolin_status")}


# missense predictor -> (score column, release column, extra column shown beside the score)
MISSENSE_PREDICTORS = {"REVEL": ("revel_score", "revel_release", None),
                       "AlphaMissense": ("alphamissense_score", "alphamissense_release",
                                         "alphamissense_class"),
                       "CADD": ("cadd_phred", "cadd_release", None)}
_DECIDES = re.compile(r"\((\w+) decides")


def _missense(get, evidence: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Every missense predictor's value, and the one PP3/BP4 took (named in their reason)."""
    tools = {tool: {"score": get(score), "release": get(release),
                    **({"class": get(extra)} if extra else {})}
             for tool, (score, release, extra) in MISSENSE_PREDICTORS.items()
             if get(score) is not None}
    if not tools:
        return None
    reasons = [str(e.get("reason") or "") for e in evidence if e.get("code") in ("PP3", "BP4")]
    decided = next((m.group(1) for r in reasons if (m := _DECIDES.search(r))), None)
    return {"tools": tools, "decided": decided if decided in tools else None}


def _gnomad(get, stages: set[str]) -> dict[str, Any] | None:
    """gnomAD's values; or why there are none: "absent" (looked up, not found: PM2 evidence)
    versus "not in bundle" (never looked up). Other sources still show via max_pop_af."""
    others = {"max_pop_af": get("max_pop_af"), "max_pop_af_source": get("max_pop_af_source")}
    if any(get(c) is not None for c in ("gnomad_af", "gnomad_grpmax_af", "gnomad_ac")):
        return {"af": get("gnomad_af"), "grpmax_af": get("gnomad_grpmax_af"),
                "ac": get("gnomad_ac"), "an": get("gnomad_an"), "nhomalt": get("gnomad_nhomalt"),
                "filter": get("gnomad_filter"), "release": get("gnomad_release"),
                "grpmax_pop": get("gnomad_grpmax_pop"), **others}
    if "annotate:no_gnomad" in stages:
        return {"not_in_bundle": True, **others}
    if "annotate" in stages:
        return {"absent": True, "release": get("gnomad_release"), **others}
    return None


def _missing(finding: dict[str, Any], stages: set[str]) -> list[dict[str, str]]:
    return [{"field": name, "reason": "not available" if stage in stages
             else f"{stage.upper()} stage not run"}
            for name, stage in FIELD_STAGE.items() if finding.get(name) in (None, [])]
