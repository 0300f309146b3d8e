"""report.json -> self-contained HTML (jinja2, autoescape on, inline CSS/JS/SVG).

The renderer reads nothing but the report document, so it must survive documents it does
not fully understand: another schema version, a section missing, a finding without some
fields. Each missing piece is named on the page; a missing value prints as a dash with
"not available" for screen readers, never "None" or "nan" (jinja's ``finalize``).
A Content-Security-Policy allows only the page's own script (by hash) and inline styles and
data: images: nothing can be fetched, and a script that escaped escaping would not run.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from varrank.core.vocab import EvidenceStatus, Zygosity
from varrank.report.values import clean, format_af, format_number, is_missing

SUPPORTED_SCHEMA_VERSIONS = (1,)
REQUIRED_SECTIONS = ("patient", "indication", "qc", "findings", "secondary_findings",
                     "variants", "exclusions", "methods", "limitations")
NA = Markup('<span class="na"><span aria-hidden="true">&ndash;</span>'
            '<span class="sr">not available</span></span>')

# Nice labels for QC and other keys we know; unknown keys fall back to _humanise.
KNOWN_LABELS = {
    "n_records": "Records", "records": "Records", "variants": "Variants", "n_variants": "Variants",
    "pass": "PASS", "pass_fraction": "PASS fraction", "pass_rate": "PASS fraction",
    "ti_tv": "Ti/Tv", "titv": "Ti/Tv", "ts_tv": "Ti/Tv", "tstv": "Ti/Tv", "ti": "Transitions",
    "tv": "Transversions", "het_hom_ratio": "Het/hom ratio", "het_hom": "Het/hom ratio",
    "het": "Heterozygous", "hom_alt": "Homozygous alt", "hom": "Homozygous", "hemi": "Hemizygous",
    "no_call": "No call", "hom_ref": "Homozygous ref", "snv": "SNV", "mnv": "MNV",
    "chrx_het_fraction": "chrX heterozygous fraction", "chrx_het": "chrX heterozygosity",
    "chrx_het_ratio": "chrX het/hom ratio", "chrx": "chrX", "sex_inferred": "Inferred sex",
    "inferred_sex": "Inferred sex", "sex_declared": "Declared sex", "declared_sex": "Declared sex",
    "inferred": "Inferred", "declared": "Declared", "sex_check": "Sex check",
    "consistent": "Consistent", "gq": "Genotype quality (GQ)", "dp": "Read depth (DP)",
    "gq_summary": "Genotype quality (GQ)", "dp_summary": "Read depth (DP)",
    "by_type": "Variants by type", "variant_types": "Variants by type", "by_zygosity": "By zygosity",
    "zygosity": "By zygosity", "mean": "Mean", "median": "Median", "min": "Min", "max": "Max",
    "p5": "5th percentile", "p10": "10th percentile", "p25": "25th percentile",
    "p75": "75th percentile", "p90": "90th percentile", "p95": "95th percentile",
    "q1": "Lower quartile", "q3": "Upper quartile", "sd": "SD", "std": "SD", "n": "N",
    "count": "Count", "fraction": "Fraction", "ref_mismatch": "REF mismatches",
    "multiallelic_split": "Multi-allelic records split", "left_aligned": "Left-aligned",
    "proband": "Proband sample", "patient": "Patient", "genome_build": "Genome build",
    "clinvar_plp": "ClinVar (likely) pathogenic", "ranked": "Ranked", "excluded": "Excluded",
    "non_par_snvs": "Non-PAR chrX SNVs", "hom_or_hemi": "Homozygous or hemizygous",
    "par_regions_excluded": "PAR regions excluded", "rows_split_added": "Rows added by splitting",
    "rows_left_aligned": "Rows left-aligned", "bcftools": "bcftools", "ref_check": "REF check",
    "snv_transitions": "SNV transitions", "snv_transversions": "SNV transversions",
    "basis": "Basis", "check": "Check", "filter": "FILTER values", "input": "Input",
    "normalisation": "Normalisation", "sex": "Sex check", "mismatches": "REF mismatches",
    "acmg_class_2015": "ACMG/AMP class (2015 rules)", "acmg_points": "Points (Tavtigian 2020)",
    "acmg_class_points": "Class by points", "disease_name": "Disease", "gene_level": "Gene-level score",
    "disease_score": "Disease score", "disease_inheritance": "Disease inheritance",
    "fits": "Modes the genotypes fit", "factor": "Rank factor", "matches": "Term matches",
    "compound_het_partners": "Compound-het partners", "variant_score": "Variant score",
    "phenotype_factor": "Phenotype factor", "inheritance_factor": "Inheritance factor",
    "combined": "Combined score", "gene_score": "Gene score", "gene_rank": "Gene rank",
    "hgvs_c": "HGVS c.", "hgvs_p": "HGVS p.", "clinvar": "ClinVar", "gnomad": "gnomAD",
    "spliceai": "SpliceAI", "acmg": "ACMG/AMP class", "inheritance_fit": "Inheritance fit",
    "phenotype": "Phenotype match", "secondary_findings": "Secondary findings",
    "methods.resources": "Resources (methods)", "exclusions": "Exclusion summary",
}
ZYGOSITY = {Zygosity.HET: "heterozygous", Zygosity.HOM_ALT: "homozygous",
            Zygosity.HEMI: "hemizygous", Zygosity.HOM_REF: "homozygous reference",
            Zygosity.NO_CALL: "no call"}
_ABBREV = {"gq": "GQ", "dp": "DP", "snv": "SNV", "snvs": "SNVs", "mnv": "MNV", "af": "AF",
           "vaf": "VAF", "qc": "QC", "chrx": "chrX", "chry": "chrY", "pct": "%", "ti": "Ti",
           "tv": "Tv", "id": "ID", "acmg": "ACMG", "ic": "IC", "hpo": "HPO", "vcf": "VCF", "gt": "GT", "ad": "AD"}


def _humanise(key: Any) -> str:
    if is_missing(key):
        return "(unnamed)"
    key = str(key)
    if key in KNOWN_LABELS:
        return KNOWN_LABELS[key]
    words = [w for w in re.split(r"[_\s]+", key) if w]
    if not words:
        return key
    out = [_ABBREV.get(w.lower(), w) for w in words]
    first = out[0]
    out[0] = first[:1].upper() + first[1:] if first not in _ABBREV.values() else first
    return " ".join(out)


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):  # built by a filter (escaped already), e.g. "" for data-sort
        return value
    if isinstance(value, jinja2.Undefined) or is_missing(value):
        return NA
    return value


def _num(value: Any, digits: int = 2) -> Any:
    text = format_number(value, digits)
    return NA if text is None else text


def _af(value: Any) -> Any:
    text = format_af(value)
    return NA if text is None else text


def _pct(value: Any) -> Any:
    value = clean(value)
    if value is None:
        return NA
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return str(value)


def _qc_value(key: str, value: Any) -> Any:
    """QC scalars: fractions as %, ratios with 2-3 digits; counts, flags and text as
    ``format_number`` shows them."""
    value = clean(value)
    if not isinstance(value, float):
        return _num(value)
    if "fraction" in key or key.endswith("_frac") or key.endswith("rate"):
        return f"{value:.4f} ({value * 100:.1f}%)"
    return f"{value:.3f}" if abs(value) < 100 else f"{value:,.1f}"


def _css_class(text: Any) -> str:
    text = (clean(text) or "").lower().replace("_", " ")
    if "conflicting" in text:
        return "cls-other"
    for name in ("likely pathogenic", "pathogenic", "uncertain significance", "likely benign",
                 "benign"):
        if name in text:
            return "cls-" + name.replace(" ", "-")
    if text in ("vus", "uncertain"):
        return "cls-vus"
    return "cls-other"


def _zyg(value: Any) -> Any:
    value = clean(value)
    return NA if value is None else ZYGOSITY.get(str(value), str(value).replace("_", " "))


def _moi(value: Any) -> Any:
    """Inheritance modes: ['autosomal_recessive'] -> 'autosomal recessive'."""
    value = clean(value)
    if not value:
        return NA
    items = value if isinstance(value, list) else [value]
    return ", ".join(str(v).replace("_", " ") for v in items if v is not None) or NA


def _conditions(value: Any) -> Any:
    """ClinVar CLNDN style: '|' between conditions, '_' for spaces."""
    value = clean(value)
    if value is None:
        return NA
    return "; ".join(part.replace("_", " ") for part in str(value).split("|") if part)


def _pangolin(value: Any) -> Any:
    """'0.35 (low): gain 0.35 at +12, loss -0.02 at -3 (BRCA1)', or the reason it has none."""
    if not isinstance(value, dict):
        return NA
    if value.get("max") is None:
        return str(value.get("status") or NA).replace("_", " ")
    text = f"{_num(value['max'])} ({value.get('level') or 'none'})"
    parts = [f"{name} {_num(value.get(name))} at {int(value[pos]):+d}"
             for name, pos in (("gain", "gain_pos"), ("loss", "loss_pos"))
             if value.get(name) is not None and value.get(pos) is not None]
    if parts:
        text += ": " + ", ".join(parts)
    return text + (f" ({value['gene']})" if value.get("gene") else "")


def _xpresso(value: Any) -> Any:
    """'-0.120 log10 expression (BRCA1 promoter, reference 0.730; not weighed)'."""
    if not isinstance(value, dict) or value.get("delta") is None:
        return NA
    ref = f", reference {float(value['ref']):.3f}" if value.get("ref") is not None else ""
    return (f"{float(value['delta']):+.3f} log10 expression ({value.get('gene') or '?'} "
            f"promoter{ref}; shown, not weighed)")


def _missense(value: Any) -> Any:
    """'REVEL 0.93 (decided PP3/BP4), AlphaMissense 0.95 likely pathogenic, CADD 28.1': every
    predictor's value, the one the evidence took marked (plain text: autoescaped)."""
    if not isinstance(value, dict) or not value.get("tools"):
        return NA
    parts = []
    for tool, entry in value["tools"].items():
        text = f"{tool} {float(entry['score']):.3g}"
        if entry.get("class"):
            text += f" {str(entry['class']).replace('_', ' ')}"
        if tool == value.get("decided"):
            text += " (decided PP3/BP4)"
        parts.append(text)
    return ", ".join(parts)


def _stars(value: Any) -> Any:
    value = clean(value)
    if value is None:
        return NA
    try:
        stars = max(0, min(4, int(value)))
    except (TypeError, ValueError):
        return NA
    return Markup('<span class="stars" aria-hidden="true">{}</span>'
                  '<span class="sr">{} of 4 review stars</span> <span class="muted">{}/4</span>'
                  ).format("\u2605" * stars + "\u2606" * (4 - stars), stars, stars)


def _allele(value: Any, width: int = 12) -> Any:
    value = clean(value)
    if value is None:
        return NA
    value = str(value)
    if len(value) <= width:
        return value
    return Markup('<abbr title="{}">{}&hellip;({} bp)</abbr>').format(value, value[:width],
                                                                         len(value))


def _text(value: Any, sep: str = ", ") -> Any:
    """Lists joined, scalars as text, missing as the NA mark."""
    value = clean(value)
    if value is None or value == [] or value == {}:
        return NA
    if isinstance(value, list):
        return sep.join(str(v) for v in value if v is not None) or NA
    if isinstance(value, dict):
        return "; ".join(f"{_humanise(k)}: {v}" for k, v in value.items() if v is not None)
    return value


def _sortval(value: Any) -> Markup:
    """Raw value for a data-sort attribute; empty (sorted last) when missing."""
    value = clean(value)
    return Markup("") if value is None else escape(str(value))


def _compound(value: Any) -> Any:
    """Lists and small objects inside QC as readable text: [[1, 5], [9, 12]] -> '1-5; 9-12'."""
    value = clean(value)
    if not value:
        return NA
    if isinstance(value, dict):
        return "; ".join(f"{_humanise(k)}: {_compound(v)}" for k, v in value.items())
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, list) and len(item) == 2 and all(isinstance(x, int) for x in item):
                parts.append(f"{item[0]:,}\u2013{item[1]:,}")
            elif isinstance(item, (list, dict)):
                parts.append(str(_compound(item)))
            elif item is not None:
                parts.append(f"{item:,}" if isinstance(item, int) and not isinstance(item, bool)
                             else str(_enum_text(item)))
        return "; ".join(parts) or NA
    return str(value)


STATUS_ORDER = {EvidenceStatus.MET: 0, EvidenceStatus.NOT_MET: 1, EvidenceStatus.NOT_EVALUATED: 2}
CODE_FIELDS = ("code", "label", "status", "strength", "points", "reason", "description", "text",
               "kind", "direction", "note")


def _term_matches(value: Any) -> list[dict[str, Any]]:
    """Phenotype evidence's best term pairs as table rows (patient term, matched term, IC);
    joined into one line they were unreadable. Anything not of that shape gives no rows."""
    if not isinstance(value, list) or not value:
        return []
    if not all(isinstance(pair, dict) and {"patient", "matched"} <= pair.keys()
               for pair in value):
        return []

    def term(pair: dict[str, Any], key: str) -> str:
        name = pair.get(f"{key}_name")
        return f"{name} ({pair[key]})" if name else str(pair[key])

    return [{"patient": term(pair, "patient"), "matched": term(pair, "matched"),
             "ic": round(float(pair["ic"]), 2) if isinstance(pair.get("ic"), (int, float))
             else None} for pair in value]


def evidence_view(items: Any) -> dict[str, Any]:
    """Split evidence items into ACMG-style code rows and other blocks (phenotype, inheritance,
    score...), each as display-ready text; any item shape is accepted."""
    if not isinstance(items, list):
        items = [] if items is None or isinstance(items, jinja2.Undefined) else [{"text": items}]
    codes, blocks = [], []
    for item in items:
        item = clean(item)
        if not isinstance(item, dict):
            if item is not None:
                blocks.append({"title": "Note", "pairs": [("", str(item))]})
            continue
        code = item.get("code") or item.get("criterion")
        if code:
            status = str(item.get("status") or (EvidenceStatus.MET if item.get("strength") else "")) or None
            detail = item.get("reason") or item.get("description") or item.get("text")
            extra = "; ".join(f"{_humanise(k)}: {_compound(v)}" for k, v in item.items()
                              if k not in CODE_FIELDS and k != "criterion" and v is not None)
            codes.append({"code": code, "status": status,
                          "status_text": (status or "").replace("_", " ") or None,
                          "strength": item.get("strength"), "points": item.get("points"),
                          "direction": item.get("direction"),
                          "detail": "; ".join(x for x in (detail, item.get("note"), extra) if x) or None})
        else:
            title = _humanise(item.get("kind") or "evidence")
            matches = _term_matches(item.get("matches"))
            pairs = [(_humanise(k), _compound(v) if isinstance(v, (list, dict)) else
                      _enum_text(_qc_value(k, v))) for k, v in item.items()
                     if k != "kind" and v is not None and not (k == "matches" and matches)]
            blocks.append({"title": title, "pairs": pairs, "matches": matches})
    codes.sort(key=lambda c: STATUS_ORDER.get(c["status"] or "", 1))
    # Codes that could not be evaluated are grouped by reason: one line each, not one row.
    skipped: dict[str, list[str]] = {}
    for c in codes:
        if c["status"] == EvidenceStatus.NOT_EVALUATED:
            skipped.setdefault(c["detail"] or "no reason given", []).append(str(c["code"]))
    return {"codes": [c for c in codes if c["status"] != EvidenceStatus.NOT_EVALUATED], "blocks": blocks,
            "not_evaluated": [{"reason": r, "codes": ", ".join(v)} for r, v in skipped.items()],
            "met": sum(1 for c in codes if c["status"] == EvidenceStatus.MET), "assessed": len(codes),
            "total": len(items)}


_ENUM = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")


def _enum_text(value: Any) -> Any:
    """'not_met' -> 'not met' for enum-like values; anything else unchanged."""
    return value.replace("_", " ") if isinstance(value, str) and _ENUM.match(value) else value


def qc_tables(metrics: Any) -> list[dict[str, Any]]:
    """Generic QC JSON -> tables: scalars in one key/value table, each nested object its own
    table (a dict of dicts becomes a matrix), lists of objects a table of their keys."""
    if not isinstance(metrics, dict):
        return []
    scalars, tables = [], []
    for key, value in metrics.items():
        if isinstance(value, dict):
            inner = list(value.values())
            if inner and all(isinstance(v, dict) for v in inner):
                columns = list(dict.fromkeys(k for v in inner for k in v))
                rows = [[_humanise(k)] + [_qc_value(c, v.get(c)) for c in columns]
                        for k, v in value.items()]
                tables.append({"title": _humanise(key), "columns": [""] + [_humanise(c) for c in columns],
                               "rows": rows, "matrix": True})
            else:
                rows = [[_humanise(k), _qc_value(k, v) if not isinstance(v, (dict, list))
                         else _compound(v)] for k, v in value.items()]
                tables.append({"title": _humanise(key), "columns": ["Metric", "Value"],
                               "rows": rows, "matrix": False})
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            rows = [[_qc_value(c, v.get(c)) for c in columns] for v in value]
            tables.append({"title": _humanise(key), "columns": [_humanise(c) for c in columns],
                           "rows": rows, "matrix": False, "plain": True})
        else:
            shown = _compound(value) if isinstance(value, list) else _qc_value(key, value)
            scalars.append([_humanise(key), shown])
    if scalars:
        tables.insert(0, {"title": "Summary", "columns": ["Metric", "Value"], "rows": scalars,
                          "matrix": False})
    return tables


def _points(tracks: dict, key: str, offsets: list, x, y) -> str | None:
    """SVG polyline points of one track; None when the track is absent or misshapen."""
    values = tracks.get(key)
    if not isinstance(values, list) or len(values) != len(offsets):
        return None
    pts = [f"{x(o):.1f},{y(float(v)):.1f}" for o, v in zip(offsets, values, strict=True)
           if v is not None and isinstance(v, (int, float)) and math.isfinite(v)]
    return " ".join(pts) if pts else None


PLOT_LEFT, PLOT_RIGHT, PLOT_TOP = 56, 14, 18


def _x_axis(tracks: Any, width: int) -> dict[str, Any] | None:
    """The shared x axis of the splice plots (offsets, scale, ticks); None for unusable tracks."""
    if not isinstance(tracks, dict):
        return None
    offsets = tracks.get("offset")
    if not isinstance(offsets, list) or len(offsets) < 2:
        return None
    lo, hi = min(offsets), max(offsets)
    span = (hi - lo) or 1
    x = lambda o: PLOT_LEFT + (o - lo) / span * (width - PLOT_LEFT - PLOT_RIGHT)  # noqa: E731
    ticks = sorted({lo, hi, 0} | {t for t in range(lo - lo % 25, hi + 1, 25 if span <= 200 else 100)
                                   if lo <= t <= hi})
    return {"offsets": offsets, "x": x, "geometry": {
        "width": width, "left": PLOT_LEFT, "right": width - PLOT_RIGHT, "lo": lo, "hi": hi,
        "x0": x(0) if lo <= 0 <= hi else None,
        "ticks": [{"x": round(x(t), 1), "label": t} for t in ticks]}}


def splice_plot(tracks: Any, width: int = 720, panel_h: int = 120) -> dict[str, Any] | None:
    """Geometry of the ref-vs-alt SpliceAI plot: polyline points per track, two panels."""
    axis = _x_axis(tracks, width)
    if axis is None:
        return None
    offsets, x, gap = axis["offsets"], axis["x"], 34
    panels = []
    for i, (site, ref_key, alt_key) in enumerate((("Acceptor", "ref_acceptor", "alt_acceptor"),
                                                  ("Donor", "ref_donor", "alt_donor"))):
        y0 = PLOT_TOP + i * (panel_h + gap)
        y = lambda p, y0=y0: y0 + panel_h - max(0.0, min(1.0, p)) * panel_h  # noqa: E731

        ref_pts, alt_pts = _points(tracks, ref_key, offsets, x, y), _points(tracks, alt_key, offsets, x, y)
        peak = None
        values_ref, values_alt = tracks.get(ref_key) or [], tracks.get(alt_key) or []
        if len(values_ref) == len(offsets) == len(values_alt):
            deltas = [((a or 0) - (r or 0), o)
                      for r, a, o in zip(values_ref, values_alt, offsets, strict=True)]
            if deltas:
                d, o = max(deltas, key=lambda t: abs(t[0]))
                peak = {"delta": round(d, 3), "offset": o}
        panels.append({"site": site, "y0": y0, "y1": y0 + panel_h, "ymid": y0 + panel_h / 2,
                       "ref": ref_pts, "alt": alt_pts, "peak": peak})
    return {**axis["geometry"], "height": PLOT_TOP + 2 * panel_h + gap + 30,
            "panels": panels, "model": clean(tracks.get("model"))}


def pangolin_plot(tracks: Any, width: int = 720, panel_h: int = 140) -> dict[str, Any] | None:
    """Geometry of Pangolin's plot: masked gain (up) and loss (down) per position, -1 to 1."""
    axis = _x_axis(tracks, width)
    if axis is None:
        return None
    offsets, x = axis["offsets"], axis["x"]
    y = lambda v: PLOT_TOP + panel_h / 2 - max(-1.0, min(1.0, v)) * panel_h / 2  # noqa: E731
    peaks = {}
    for name, pick in (("gain", max), ("loss", min)):
        values = [(v, o) for v, o in zip(tracks.get(name) or [], offsets) if v is not None]
        if values:
            v, o = pick(values)
            peaks[name] = {"delta": round(v, 3), "offset": o}
    return {**axis["geometry"], "height": PLOT_TOP + panel_h + 34, "y0": PLOT_TOP,
            "y1": PLOT_TOP + panel_h, "ymid": PLOT_TOP + panel_h / 2,
            "gain": _points(tracks, "gain", offsets, x, y),
            "loss": _points(tracks, "loss", offsets, x, y), "peaks": peaks}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("varrank.report", "templates"),
        autoescape=True, finalize=_finalize, undefined=jinja2.ChainableUndefined,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(zyg=_zyg, moi=_moi, conditions=_conditions, missense=_missense, pangolin=_pangolin, xpresso=_xpresso, num=_num, af=_af, pct=_pct, stars=_stars, allele=_allele, text=_text,
                       label=_humanise, cls=_css_class, sortval=_sortval,
                       qcval=lambda v, k="": _qc_value(k, v))
    env.globals.update(evidence_view=evidence_view, qc_tables=qc_tables, splice_plot=splice_plot,
                       pangolin_plot=pangolin_plot, NA=NA)
    return env


def _asset(name: str) -> str:
    return resources.files("varrank.report").joinpath("templates", name).read_text("utf-8")


def csp_for(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; script-src 'sha256-" + digest + "'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def document_problems(doc: Any) -> tuple[list[str], list[str]]:
    """(banner messages, names of missing sections) for a report document of any shape."""
    problems, missing = [], []
    if not isinstance(doc, dict):
        return ["report.json is not a JSON object; nothing can be shown"], list(REQUIRED_SECTIONS)
    version = doc.get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        problems.append(
            f"report.json declares schema version {version if version is not None else '(none)'}"
            f"; this renderer reads version(s) {', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))}. "
            "Sections it could read are shown; the rest are listed as missing.")
    for section in REQUIRED_SECTIONS:
        if section not in doc or doc[section] is None and section != "qc":
            missing.append(section)
        elif section == "qc" and doc.get("qc") is None:
            missing.append(section)
    return problems, missing


def _section(doc: dict, name: str, kind: type) -> Any:
    value = doc.get(name) if isinstance(doc, dict) else None
    return value if isinstance(value, kind) else None


def render_html(doc: Any, template: str = "report.html.j2") -> str:
    """Render a report document (possibly partial or of another version) to HTML text."""
    env = _environment()
    script = _asset("report.js")
    problems, missing = document_problems(doc)
    safe = doc if isinstance(doc, dict) else {}
    context = {
        "doc": safe, "problems": problems, "missing_sections": missing,
        "patient": _section(safe, "patient", dict) or {},
        "indication": _section(safe, "indication", dict),
        "summary": _section(safe, "summary", dict) or {},
        "qc": _section(safe, "qc", dict),
        "findings": _section(safe, "findings", dict),
        "secondary": _section(safe, "secondary_findings", dict),
        "variants": _section(safe, "variants", dict),
        "exclusions": _section(safe, "exclusions", dict),
        "methods": _section(safe, "methods", dict),
        "limitations": _section(safe, "limitations", list),
        "stages": _section(safe, "stages", dict) or {},
        "declared_missing": [m for m in (_section(safe, "missing", list) or [])
                             if isinstance(m, dict)],
        "css": Markup(_asset("report.css")), "script": Markup(script), "csp": csp_for(script),
    }
    return env.get_template(template).render(**context)


def render_index(entries: list[dict[str, Any]], title: str) -> str:
    env = _environment()
    script = _asset("report.js")
    return env.get_template("index.html.j2").render(
        entries=entries, title=title, css=Markup(_asset("report.css")), script=Markup(script),
        csp=csp_for(script))
