"""Assemble report.json: everything the HTML shows, from the stage outputs.

The HTML is rendered from this document alone (so a LIMS, a re-render or an audit sees the
same content); the builder therefore resolves every value the page needs: labels, findings,
exclusions, methods. Its shape is versioned (``REPORT_SCHEMA_VERSION``) and documented in
docs/report_schema.md and report.schema.json.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
from collections import Counter
from typing import Any, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from varrank.core import schema as table_schema
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import Stage
from varrank.report import columns as cols
from varrank.report import findings as fnd
from varrank.report import ledgers as ldg
from varrank.report import methods as mth
from varrank.report import mito
from varrank.report.hpo_labels import HpoLabels
from varrank.report.limitations import limitations
from varrank.report.secondary import SF_GENES, SF_LIST_VERSION, is_secondary_candidate
from varrank.report.values import clean

log = logging.getLogger(__name__)

REPORT_SCHEMA_VERSION = 1
ANALYSIS_STAGES = ("ingest", "annotate", "score", "prioritise")

# Columns of the compact all-variants table (report.json "variants.rows").
VARIANT_ROW_COLUMNS = {
    "rank": "rank", "variant_key": "variant_key", "chrom": "chrom", "pos": "pos", "ref": "ref",
    "alt": "alt", "vcf_id": "vcf_id", "type": "variant_type", "filter": "filter",
    "qual": "qual", "gt": "gt", "zygosity": "zygosity", "gq": "gq", "dp": "dp", "vaf": "vaf",
    "gene": "gene_symbol", "consequence": "consequence", "hgvs_c": "hgvs_c",
    "hgvs_p": "hgvs_p", "clinvar": "clinvar_significance", "clinvar_stars": "clinvar_stars",
    "gnomad_af": "gnomad_af", "spliceai_max": "spliceai_max", "acmg_class": "acmg_class",
    "excluded_reason": "excluded_reason",
}


def _now() -> str:
    """UTC time of the build; SOURCE_DATE_EPOCH (reproducible-builds.org) pins it, so the
    same inputs give byte-identical report.json and HTML."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.isoformat(timespec="seconds")


# marker in the stage set: ANNOTATE ran with a bundle that has no gnomAD source
NO_GNOMAD = "annotate:no_gnomad"


def stages_present(table: pa.Table, metadata: TableMetadata | Mapping[str, Any]) -> set[str]:
    """A stage counts as run when the metadata history names it or its columns carry data."""
    metadata = TableMetadata.coerce(metadata)
    ran = metadata.stages_run()
    for stage in ANALYSIS_STAGES:
        for column in table_schema.columns_for(stage):
            if column.name in table.column_names and table[column.name].null_count < len(table):
                ran.add(stage)
                break
    if "chrom" in table.column_names:
        ran.add("ingest")
    if _bundle_without(metadata, "gnomad"):
        ran.add(NO_GNOMAD)
    return {s for s in ran if s}


def _bundle_without(metadata: TableMetadata, kind: str) -> bool:
    """True when ANNOTATE recorded its bundle's source kinds and none is ``kind``: then a
    variant missing from gnomAD is "not looked up", not "absent" (PM2 evidence)."""
    kinds = (metadata.stage_details(Stage.ANNOTATE) or {}).get("source_kinds")
    return isinstance(kinds, dict) and kind not in kinds.values()


def _hpo_ids(metadata: TableMetadata, given: list[str] | None) -> list[str]:
    """HPO ids from --hpo, else those PRIORITISE resolved (the table metadata)."""
    ids = [str(t).strip() for t in (given or metadata.hpo_terms) if str(t).strip()]
    return list(dict.fromkeys(ids))


def indication(metadata: TableMetadata, hpo: list[str] | None, labels: HpoLabels) -> dict:
    """The patient's HPO terms, and the features looked for and found absent (which
    PRIORITISE used against diseases that have them)."""
    return {"hpo_terms": _labelled(_hpo_ids(metadata, hpo), labels),
            "excluded_terms": _labelled(metadata.hpo_excluded, labels),
            "ontology": {"source": labels.source, "version": labels.version},
            "free_text": None}


def _labelled(term_ids, labels: HpoLabels) -> list[dict]:
    terms = []
    for term_id in term_ids:
        term = labels.lookup(term_id)
        terms.append({"id": term.id, "label": term.label, "status": term.status,
                      "replaced_by": term.replaced_by})
    return terms


def patient(metadata: TableMetadata, table: pa.Table, qc: dict | None) -> dict:
    family = Counter()
    for raw in cols.column(table.slice(0, 1000), "family_zygosity").to_pylist():
        if raw:
            try:
                family.update(json.loads(raw).keys())
            except (ValueError, AttributeError):
                pass
    sex_block = (qc or {}).get("sex") if isinstance((qc or {}).get("sex"), dict) else {}
    return {
        "id": clean(metadata.patient),
        "proband_sample": clean(metadata.proband),
        "other_samples": sorted(family),
        "sex_declared": clean(metadata.declared_sex),
        "sex_inferred": clean(sex_block.get("inferred")),
        "genome_build": clean(metadata.genome_build),
        "reference_fasta": clean(metadata.fasta),
        "family_id": clean(metadata.family_id),
        "source_vcf": clean(metadata.source_vcf),
    }


def variant_rows(table: pa.Table, limit: int) -> dict[str, Any]:
    ordered = cols.rank_order(table).slice(0, limit)
    present = [c for c in VARIANT_ROW_COLUMNS.values() if c in ordered.column_names]
    shown = [{name: clean(row.get(col)) for name, col in VARIANT_ROW_COLUMNS.items()}
             for row in ordered.select(present).to_pylist()]
    return {"total": len(table), "shown": len(shown), "limit": limit,
            "order": "rank, then position" if cols.non_null(table, "rank") else "position",
            "rows": shown}


def summary(table: pa.Table, stages: set[str]) -> dict[str, Any]:
    out = {"variants": len(table),
           "pass": cols.value_counts(table, "filter").get("PASS", 0),
           "by_type": cols.value_counts(table, "variant_type", "not recorded"),
           "by_zygosity": cols.value_counts(table, "zygosity", "not recorded")}
    if "prioritise" in stages:
        out["ranked"] = cols.non_null(table, "rank")
        out["excluded"] = sum(cols.value_counts(table, "excluded_reason").values())
    if "annotate" in stages:
        out["clinvar_plp"] = cols.count_where(table, "clinvar_significance", fnd.is_clinvar_plp)
    return out


def primary_findings(table: pa.Table, stages: set[str], limit: int,
                     tracks: dict[str, list[dict]]) -> dict[str, Any]:
    if "prioritise" in stages:
        candidates = cols.rank_order(table.filter(pc.is_valid(cols.column(table, "rank"))))
        basis = f"the best-ranked variants by PRIORITISE rank (at most {limit})"
    elif "annotate" in stages:
        candidates = table.filter(cols.mask_where(table, "clinvar_significance", fnd.is_clinvar_plp))
        basis = ("variants ClinVar classes pathogenic or likely pathogenic "
                 "(PRIORITISE not run: no ranking, no ACMG/AMP evidence, no phenotype match)")
    else:
        return {"basis": None, "items": [], "total_candidates": 0,
                "unavailable": "ANNOTATE and PRIORITISE were not run: no findings can be called"}
    chosen = candidates.slice(0, limit).to_pylist()
    items = [fnd.build_finding(r, stages, tracks.get(r.get("variant_key"))) for r in chosen]
    return {"basis": basis, "items": items, "total_candidates": len(candidates), "unavailable": None}


def secondary_findings(table: pa.Table, stages: set[str], requested: bool,
                       primary_keys: set[str]) -> dict[str, Any]:
    base = {"requested": requested, "gene_list": SF_LIST_VERSION, "gene_count": len(SF_GENES)}
    if not requested:
        return {**base, "items": [], "unavailable": None}
    if "annotate" not in stages:
        return {**base, "items": [], "unavailable": "ANNOTATE was not run: genes and ClinVar "
                "classes are unknown, secondary findings cannot be assessed"}
    in_genes = table.filter(cols.mask_where(table, "gene_symbol", lambda g: g in SF_GENES))
    chosen = [r for r in cols.rank_order(in_genes).to_pylist()
              if is_secondary_candidate(r) and r.get("variant_key") not in primary_keys]
    items = [{**fnd.build_finding(r, stages), "sf_category": SF_GENES[r["gene_symbol"]]}
             for r in chosen]
    return {**base, "items": items, "unavailable": None}


def build_report(table: pa.Table, metadata: TableMetadata, *, qc: dict | None,
                 qc_name: str | None, ledgers: list[dict], manifests: list[dict],
                 tracks: dict[str, list[dict]], hpo: list[str] | None, labels: HpoLabels,
                 secondary: bool, max_findings: int, max_variants: int,
                 inputs: list[dict], generated_at: str | None = None) -> dict[str, Any]:
    """Return the report document (a dict ready for json.dumps)."""
    stages = stages_present(table, metadata)
    missing = [{"section": s, "reason": f"{s.upper()} stage not run (no columns, no history)"}
               for s in ANALYSIS_STAGES if s not in stages]
    if qc is None:
        missing.append({"section": "qc", "reason": "no QC JSON given (--qc)"})
    if not ledgers:
        missing.append({"section": "exclusions", "reason": "no ledgers given (--ledger)"})
    if not manifests:
        missing.append({"section": "methods.resources",
                        "reason": "no annotation-bundle or model manifest given (--manifest)"})
    primary = primary_findings(table, stages, max_findings, tracks)
    excluded = cols.value_counts(table, "excluded_reason")
    doc = {
        "schema": "varrank-report",
        "schema_version": REPORT_SCHEMA_VERSION,
        "generated_at": generated_at or _now(),
        "patient": patient(metadata, table, qc),
        "indication": indication(metadata, hpo, labels),
        "stages": {"present": [s for s in ANALYSIS_STAGES if s in stages],
                   "missing": [s for s in ANALYSIS_STAGES if s not in stages]},
        "summary": summary(table, stages),
        "qc": {"source": qc_name, "metrics": clean(qc)} if qc is not None else None,
        "findings": primary,
        "secondary_findings": secondary_findings(
            table, stages, secondary, {f["variant_key"] for f in primary["items"]}),
        "variants": variant_rows(table, max_variants),
        "mitochondrial": mito.mitochondrial_section(table),
        # The table's excluded_reason counts stand in for a missing PRIORITISE ledger only.
        "exclusions": ldg.summarise(ledgers, len(table), {} if any(
            lg.get("stage") == "prioritise" for lg in ledgers) else dict(excluded)),
        "methods": {"tools": mth.report_tools(), "stage_history": mth.stage_history(metadata),
                    "resources": manifests, "licences": mth.licences(manifests),
                    "inputs": inputs,
                    "hpo_ontology": {"source": labels.source, "version": labels.version},
                    "runtime": mth.runtime()},
        "limitations": limitations(stages, secondary),
        "missing": missing,
    }
    return doc
