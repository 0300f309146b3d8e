"""The REPORT stage as one pure function: stage outputs in, report files out.

``run_report`` reads the last stage's table, the QC JSON, the ledgers, manifests and
SpliceAI tracks; builds and validates report.json; renders the HTML from that JSON only;
writes the ranked TSV, the annotated VCF and, on request, a PDF.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from functools import partial
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from varrank.core import contract
from varrank.core.errors import InputError
from varrank.core.ids import require_safe_id
from varrank.core.stage_io import read_stage_table
from varrank.core.table_io import atomic_write_text
from varrank.core.vocab import Stage
from varrank.report import methods as mth
from varrank.report.build import build_report
from varrank.report.hpo_labels import load_labels
from varrank.report.ledgers import read_ledger
from varrank.report.render import render_html
from varrank.report.tracks import read_tracks
from varrank.report.tsv import write_tsv
from varrank.report.validate import schema_errors
from varrank.report.vcf import write_vcf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportOutputs:
    json: Path
    html: Path
    tsv: Path
    vcf: Path
    tbi: Path
    pdf: Path | None = None


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{what} is not valid JSON ({err})", path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"{what} must be a JSON object", path=path)
    return data


def run_report(table_path: Path, out_dir: Path, *, qc_path: Path | None = None,
               ledger_paths: list[Path] | None = None, manifest_paths: list[Path] | None = None,
               tracks_path: Path | None = None, hpo: list[str] | None = None,
               hpo_dir: Path | None = None, secondary: bool = False, pdf: bool = False,
               paper: str = "a4", max_findings: int = 20, max_variants: int = 500,
               patient: str | None = None, generated_at: str | None = None) -> ReportOutputs:
    table, metadata = read_stage_table(table_path, Stage.REPORT)
    patient_id = require_safe_id(patient or metadata.patient, "patient ID")
    metadata = dataclasses.replace(metadata, patient=patient_id)
    log.info("report for %s: %d variants from %s", patient_id, len(table), table_path)
    qc = _read_json(qc_path, "QC JSON") if qc_path else None
    ledgers = [read_ledger(p) for p in ledger_paths or []]
    manifests = [mth.read_manifest(p) for p in manifest_paths or []]
    tracks: dict[str, list[dict]] = {}
    if tracks_path:
        tracks = read_tracks(tracks_path)
    labels = load_labels(hpo_dir)
    inputs = mth.input_files({
        "variant table": [Path(table_path)], "QC": [Path(qc_path)] if qc_path else [],
        "ledger": [Path(p) for p in ledger_paths or []],
        "manifest": [Path(p) for p in manifest_paths or []],
        "SpliceAI tracks": [Path(tracks_path)] if tracks_path else []})
    doc = build_report(table, metadata, qc=qc, qc_name=Path(qc_path).name if qc_path else None,
                       ledgers=ledgers, manifests=manifests, tracks=tracks, hpo=hpo,
                       labels=labels, secondary=secondary, max_findings=max_findings,
                       max_variants=max_variants, inputs=inputs, generated_at=generated_at)
    if pdf:
        from varrank.report.pdf import chromium_version

        doc["methods"]["tools"].append({"name": "Chromium", "version": chromium_version(),
                                        "used_for": "PDF (print-to-PDF)"})
    errors = schema_errors(doc)
    if errors:  # a bug in the builder, not in the user's input
        raise AssertionError("report.json does not match its schema: " + "; ".join(errors[:5]))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = partial(contract.stage(Stage.REPORT).output_path, out_dir, patient=patient_id)
    json_path = atomic_write_text(name("json"),
                                  json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    html_path = atomic_write_text(name("html"), render_html(doc))
    tsv_path = write_tsv(table, name("tsv"))
    vcf_path = write_vcf(table, metadata, name("vcf"))
    pdf_path = None
    if pdf:
        from varrank.report.pdf import write_pdf

        pdf_path = write_pdf(html_path, name("pdf"), paper=paper)
    log.info("report written: %s", html_path)
    return ReportOutputs(json_path, html_path, tsv_path, vcf_path, name("vcf_index"), pdf_path)


def render_json_file(json_path: Path, html_path: Path) -> Path:
    """Re-render an existing report.json (of any version) to HTML."""
    try:
        doc = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read report.json ({err})", path=json_path) from None
    return atomic_write_text(html_path, render_html(doc))
