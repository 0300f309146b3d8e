"""The cohort index: one page per run linking every patient's report with its headline.

Reads only the report.json files (as the reports themselves do). A report.json that cannot
be read is listed with the problem instead of being silently left out, so the index
accounts for every patient folder it was given.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from varrank.core.errors import InputError
from varrank.core.ids import is_safe_id
from varrank.core.table_io import atomic_write_text
from varrank.report.render import SUPPORTED_SCHEMA_VERSIONS, render_index
from varrank.report.values import clean

log = logging.getLogger(__name__)
HEADLINE_FINDINGS = 3


def find_reports(folders: list[Path]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_file() and folder.name.endswith(".report.json"):
            found.append(folder)
        elif folder.is_dir():
            found.extend(sorted(folder.rglob("*.report.json")))
        else:
            raise InputError("not a report folder or report.json", path=folder)
    return sorted(dict.fromkeys(p.resolve() for p in found))


def _headline(finding: Any) -> dict[str, Any]:
    if not isinstance(finding, dict):
        return {}
    acmg = finding.get("acmg") if isinstance(finding.get("acmg"), dict) else {}
    clinvar = finding.get("clinvar") if isinstance(finding.get("clinvar"), dict) else {}
    variant = finding.get("variant") if isinstance(finding.get("variant"), dict) else {}
    return {"rank": clean(finding.get("rank")), "gene": clean(finding.get("gene")),
            "hgvs": clean(finding.get("hgvs_p")) or clean(finding.get("hgvs_c"))
            or (f"{variant.get('chrom')}:{variant.get('pos')} {variant.get('ref')}>{variant.get('alt')}"
                if variant else None),
            "acmg_class": clean(acmg.get("class")), "clinvar": clean(clinvar.get("significance")),
            "zygosity": clean((finding.get("genotype") or {}).get("zygosity"))
            if isinstance(finding.get("genotype"), dict) else None}


def _href(html: Path, index_dir: Path, patient: str | None, link_template: str | None) -> str | None:
    """The link to a report: relative to the index, or where publishing will put it."""
    if link_template is None:
        rel = os.path.relpath(html, index_dir)
    elif patient and is_safe_id(patient):
        rel = link_template.format(patient=patient, file=html.name)
    else:
        return None
    return "/".join(quote(p) for p in rel.split(os.sep))


def index_entry(path: Path, index_dir: Path, link_template: str | None = None) -> dict[str, Any]:
    html = path.with_name(path.name.replace(".report.json", ".report.html"))
    # With a link template the HTML is published beside its JSON later, not checked here.
    entry: dict[str, Any] = {"json": path.name, "href": _href(html, index_dir, None, None),
                             "html_exists": html.exists() or link_template is not None, "problems": []}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        entry.update(patient=path.name.replace(".report.json", ""), problems=[f"unreadable report.json: {err}"])
        return entry
    if not isinstance(doc, dict):
        entry.update(patient=path.name.replace(".report.json", ""), problems=["report.json is not an object"])
        return entry
    if doc.get("schema_version") not in SUPPORTED_SCHEMA_VERSIONS:
        entry["problems"].append(f"schema version {doc.get('schema_version')} not supported")
    patient = doc.get("patient") if isinstance(doc.get("patient"), dict) else {}
    summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    findings = doc.get("findings") if isinstance(doc.get("findings"), dict) else {}
    secondary = doc.get("secondary_findings") if isinstance(doc.get("secondary_findings"), dict) else {}
    exclusions = doc.get("exclusions") if isinstance(doc.get("exclusions"), dict) else {}
    items = findings.get("items") if isinstance(findings.get("items"), list) else []
    indication = doc.get("indication") if isinstance(doc.get("indication"), dict) else {}
    terms = [t for t in indication.get("hpo_terms") or [] if isinstance(t, dict)]
    entry.update(
        patient=clean(patient.get("id")) or path.name.replace(".report.json", ""),
        proband=clean(patient.get("proband_sample")), build=clean(patient.get("genome_build")),
        generated_at=clean(doc.get("generated_at")),
        variants=clean(summary.get("variants")), passed=clean(summary.get("pass")),
        ranked=clean(summary.get("ranked")),
        hpo=[clean(t.get("label")) or clean(t.get("id")) for t in terms],
        headline=[_headline(f) for f in items[:HEADLINE_FINDINGS]],
        findings_total=len(items), findings_unavailable=clean(findings.get("unavailable")),
        secondary=(len(secondary.get("items") or []) if secondary.get("requested") else None),
        stages_missing=(doc.get("stages") or {}).get("missing") if isinstance(doc.get("stages"), dict) else None,
    )
    if link_template is not None:
        entry["href"] = _href(html, index_dir, patient.get("id"), link_template)
        if entry["href"] is None:
            entry["problems"].append("no safe patient ID for the link")
    if exclusions and exclusions.get("reconciled") is False:
        entry["problems"].append("ledger counts do not reconcile")
    if not entry["html_exists"]:
        entry["problems"].append("HTML report missing beside report.json")
    return entry


def build_index(report_folders: list[Path], out_path: Path, title: str = "varrank run",
                link_template: str | None = None) -> Path:
    """Write the cohort index.html for every report.json under ``report_folders``.

    ``link_template`` ('{patient}/report/{file}') links each report where the pipeline
    publishes it, relative to the index: the task sees the reports staged elsewhere."""
    reports = find_reports(report_folders)
    if not reports:
        raise InputError("no *.report.json found", path=", ".join(map(str, report_folders)),
                         hint="run `varrank report` first, then point --reports at its --out folders")
    out_path = Path(out_path)
    index_dir = out_path.resolve().parent
    entries = [index_entry(p, index_dir, link_template) for p in reports]
    log.info("index of %d reports -> %s", len(entries), out_path)
    return atomic_write_text(out_path, render_index(entries, title))
