"""Variant tables for the report tests, built at run time from real public records.

The ingest-like table comes from the GIAB Ashkenazi trio VCF (proband HG002), split per ALT
the way INGEST does it; ANNOTATE columns come from exact matches in the official ClinVar
test VCF; SCORE and PRIORITISE columns are filled by small documented rules here, because
those stages are built in parallel. Every value a test asserts is set in this module.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pysam

from varrank.core import schema
from varrank.core.table_io import write_table

FIXED_TIME = "2026-01-01T00:00:00+00:00"

TRIO = "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz"
CLINVAR = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
STARS = {"practice_guideline": 4, "reviewed_by_expert_panel": 3,
         "criteria_provided,_multiple_submitters,_no_conflicts": 2,
         "criteria_provided,_conflicting_interpretations": 1,
         "criteria_provided,_single_submitter": 1}


def _type(ref: str, alt: str) -> str:
    if len(ref) == len(alt) == 1:
        return "SNV"
    if len(ref) == len(alt):
        return "MNV"
    if len(ref) < len(alt) and alt.startswith(ref):
        return "insertion"
    if len(ref) > len(alt) and ref.startswith(alt):
        return "deletion"
    return "complex"


def _zygosity(alleles: tuple) -> str:
    called = [a for a in alleles if a is not None]
    if not called:
        return "no_call"
    if len(alleles) == 1:
        return "hemi" if called[0] == 1 else "hom_ref"
    if all(a == 1 for a in called) and len(called) == len(alleles):
        return "hom_alt"
    if 1 in called:
        return "het"
    return "hom_ref"


def ingest_rows(data: Path, limit: int | None = None, proband: str = "HG002") -> list[dict]:
    rows: list[dict[str, Any]] = []
    with pysam.VariantFile(str(data / TRIO)) as vcf:
        others = [s for s in vcf.header.samples if s != proband]
        for rec in vcf:
            call = rec.samples[proband]
            gt = call.get("GT") or ()
            ad = call.get("AD") or ()
            for i, alt in enumerate(rec.alts or (), start=1):
                rel = tuple(None if a is None else (1 if a == i else 0) for a in gt)
                sep = "|" if call.phased else "/"
                ad_ref = ad[0] if ad and ad[0] is not None else None
                ad_alt = ad[i] if len(ad) > i and ad[i] is not None else None
                total = sum(a for a in ad if a is not None) if ad else 0
                family = {}
                for s in others:
                    g = rec.samples[s].get("GT") or ()
                    family[s] = _zygosity(tuple(None if a is None else (1 if a == i else 0) for a in g))
                rows.append({
                    "chrom": rec.chrom, "pos": rec.pos, "ref": rec.ref, "alt": alt,
                    "variant_key": f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}", "vcf_id": rec.id,
                    "qual": rec.qual, "filter": ";".join(rec.filter.keys()) or "PASS",
                    "variant_type": _type(rec.ref, alt),
                    "split_from": f"{rec.chrom}:{rec.pos}:{rec.ref}:{','.join(rec.alts)}"
                    if len(rec.alts) > 1 else None,
                    "left_aligned": False,
                    "gt": sep.join("." if a is None else str(a) for a in rel),
                    "zygosity": _zygosity(rel), "phased": bool(call.phased),
                    "gq": call.get("GQ"), "dp": call.get("DP"), "ad_ref": ad_ref, "ad_alt": ad_alt,
                    "vaf": (ad_alt / total) if total and ad_alt is not None else None,
                    "family_zygosity": json.dumps(family), "csq_raw": None, "ann_raw": None})
            if limit and len(rows) >= limit:
                break
    return rows


def clinvar_records(data: Path) -> dict[str, dict[str, Any]]:
    out = {}
    with pysam.VariantFile(str(data / CLINVAR)) as vcf:
        for rec in vcf:
            info = dict(rec.info)

            def one(key, info=info):
                value = info.get(key)
                return ",".join(value) if isinstance(value, tuple) else value

            for alt in rec.alts or ():
                revstat = one("CLNREVSTAT")
                mc = one("MC")
                out[f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}"] = {
                    "gene_symbol": (one("GENEINFO") or ":").split(":")[0] or None,
                    "consequence": mc.split("|")[1] if mc and "|" in mc else None,
                    "clinvar_variation_id": rec.id, "clinvar_allele_id": str(one("ALLELEID")),
                    "clinvar_significance": one("CLNSIG"), "clinvar_review_status": revstat,
                    "clinvar_stars": STARS.get(revstat, 0), "clinvar_conditions": one("CLNDN"),
                    "clinvar_release": "2023-07-10"}
    return out


def annotate(rows: list[dict], data: Path) -> list[dict]:
    """ANNOTATE columns: ClinVar from exact matches; a transcript/HGVS name for those rows."""
    clinvar = clinvar_records(data)
    for row in rows:
        hit = clinvar.get(row["variant_key"])
        for column in schema.ANNOTATE:
            row.setdefault(column.name, None)
        if hit:
            row.update(hit)
            row["transcript_id"] = f"NM_{zlib.crc32(hit['gene_symbol'].encode()) % 900000 + 100000}.1"  # fixture ID
            row["hgvs_c"] = f"c.{row['pos'] % 3000}{row['ref']}>{row['alt']}" if row["variant_type"] == "SNV" else None
            row["impact"] = "MODERATE"
            row["annotator"] = "fixture"
            row["gnomad_af"] = 1.2e-5 if "athogenic" in (hit["clinvar_significance"] or "") else 0.0123
            row["gnomad_release"] = "v2.1.1"
            row["gnomad_grpmax_af"] = row["gnomad_af"] * 3
            row["gnomad_grpmax_pop"] = "nfe"
            row["gene_pli"], row["gene_loeuf"] = 0.02, 0.85
    return rows


def score(rows: list[dict]) -> list[dict]:
    """SCORE columns: a splice-region ClinVar variant gets a high acceptor-loss delta."""
    for row in rows:
        for column in schema.SCORE:
            row.setdefault(column.name, None)
        if row.get("gene_symbol"):
            splice = "splice" in (row.get("consequence") or "")
            row.update(spliceai_ds_ag=0.01, spliceai_ds_al=0.91 if splice else 0.02,
                       spliceai_ds_dg=0.0, spliceai_ds_dl=0.03, spliceai_dp_ag=-12,
                       spliceai_dp_al=2, spliceai_dp_dg=40, spliceai_dp_dl=-7,
                       spliceai_max=0.91 if splice else 0.03, spliceai_gene=row["gene_symbol"],
                       score_status="scored")
        else:
            row["score_status"] = "not_candidate"
    return rows


def prioritise(rows: list[dict]) -> list[dict]:
    """PRIORITISE columns: ClinVar (likely) pathogenic first, then other ClinVar matches."""
    order = []
    for row in rows:
        for column in schema.PRIORITISE:
            row.setdefault(column.name, None)
        sig = (row.get("clinvar_significance") or "").lower()
        if row.get("gene_symbol") and row["zygosity"] in ("het", "hom_alt", "hemi"):
            plp = "pathogenic" in sig and "conflicting" not in sig
            row.update(acmg_codes="PS3_Moderate;PM2_Supporting;PP5" if plp else "BS1",
                       acmg_class="Likely pathogenic" if plp else "Likely benign",
                       acmg_points=6 if plp else -4,
                       acmg_class_points="Likely pathogenic" if plp else "Likely benign",
                       phenotype_score=0.82 if plp else 0.11,
                       phenotype_disease=row.get("clinvar_conditions"),
                       inheritance_fit="autosomal_recessive" if row["zygosity"] == "hom_alt" else "autosomal_dominant",
                       variant_score=0.9 if plp else 0.2, gene_score=0.8 if plp else 0.1,
                       disease_inheritance="autosomal_recessive" if plp else None,
                       evidence_json=json.dumps([
                           {"code": "PM2", "strength": "Supporting", "points": 1,
                            "description": "absent or rare in gnomAD", "source": "gnomAD v2.1.1"},
                           {"code": "PP5", "strength": "Supporting", "points": 1,
                            "description": f"ClinVar: {row.get('clinvar_significance')}"}]))
            order.append(row)
        else:
            row["excluded_reason"] = "no gene annotation" if not row.get("gene_symbol") else "genotype not carried"
    order.sort(key=lambda r: -r["variant_score"])
    for i, row in enumerate(order, start=1):
        row["rank"] = i
    return rows


def to_table(rows: list[dict], stages: tuple[str, ...] = ("ingest",)) -> pa.Table:
    columns = [c for stage in stages for c in schema.columns_for(stage)]
    return pa.table({c.name: pa.array([r.get(c.name) for r in rows], type=c.type) for c in columns})


def metadata(stages: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    return {"patient": "AJ-HG002", "proband": "HG002", "genome_build": "GRCh37", "declared_sex": "male",
            "stages": [{"stage": s, "varrank_version": "0.1.0"} for s in stages], **extra}


def qc_document() -> dict[str, Any]:
    return {"patient": "AJ-HG002", "proband": "HG002", "records": 9940, "pass_fraction": 0.9312,
            "ti_tv": 2.07, "het_hom_ratio": 1.62, "by_type": {"SNV": 9321, "insertion": 301, "deletion": 318},
            "chrx": {"het_fraction": None, "sex_inferred": "unknown", "sex_declared": "male"},
            "gq": {"mean": 81.2, "median": 99, "p10": 27}, "dp": {"mean": 41.5, "median": 40, "p10": 19}}


def ledger(stage: str, records_in: int, records_out: int, dropped: dict | None = None,
           added: dict | None = None, flagged: dict | None = None) -> dict[str, Any]:
    return {"schema_version": 1, "stage": stage, "patient": "AJ-HG002", "records_in": records_in,
            "records_out": records_out, "added": added or {}, "dropped": dropped or {},
            "flagged": flagged or {}, "examples": {k: ["1:12345 A>G"] for k in (dropped or {})},
            "notes": [], "balanced": True}


def splice_tracks(keys: list[str], gene: str = "ISG15") -> pa.Table:
    """Per-position tracks in SCORE's own TRACK_SCHEMA (the contract): the variant abolishes
    the acceptor 2 bp downstream (0.95 -> 0.04) and activates a cryptic acceptor at -12.
    A second, overlapping gene gets flat tracks; the report must plot ``gene``'s."""
    from varrank.score.stage import TRACK_SCHEMA

    rows = []
    for key in keys:
        for name, flat in ((gene, False), ("OVERLAP1", True)):
            for offset in range(-60, 61):
                ref_acc = 0.01 if flat else (0.95 if offset == 2 else 0.01)
                alt_acc = 0.01 if flat else (0.04 if offset == 2 else (0.31 if offset == -12 else 0.01))
                donor = 0.0 if flat else (0.88 if offset == 40 else 0.0)
                rows.append({"variant_key": key, "gene": name, "strand": "+", "offset": offset,
                             "ref_acceptor": ref_acc, "alt_acceptor": alt_acc,
                             "ref_donor": donor, "alt_donor": donor})
    return pa.Table.from_pylist(rows, schema=TRACK_SCHEMA)


def write_inputs(folder: Path, rows: list[dict], stages: tuple[str, ...], *,
                 hpo: list[str] | None = None, tracks_for: list[str] | None = None,
                 manifest: dict | None = None, proband: str = "HG002") -> dict:
    """Write the files a REPORT run takes; return run_report keyword arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    table = to_table(rows, stages)
    meta = metadata(stages, proband=proband, **({"hpo_terms": hpo} if hpo else {}))
    write_table(table, folder / "AJ-HG002.in.parquet", meta)
    (folder / "AJ-HG002.qc.json").write_text(json.dumps(qc_document()))
    ledgers = [ledger("ingest", 9940, len(rows), added={"multiallelic_split": len(rows) - 9940}
                        if len(rows) > 9940 else None,
                        dropped={"gvcf_reference_block": 9940 - len(rows)} if len(rows) < 9940 else None)]
    if "prioritise" in stages:
        flagged = {}
        for row in rows:
            if row.get("excluded_reason"):
                flagged[row["excluded_reason"]] = flagged.get(row["excluded_reason"], 0) + 1
        ledgers.append(ledger("prioritise", len(rows), len(rows), flagged=flagged))
    paths = []
    for entry in ledgers:
        path = folder / f"AJ-HG002.{entry['stage']}.ledger.json"
        path.write_text(json.dumps(entry))
        paths.append(path)
    kwargs = {"table_path": folder / "AJ-HG002.in.parquet", "qc_path": folder / "AJ-HG002.qc.json",
              "ledger_paths": paths, "generated_at": FIXED_TIME}
    if tracks_for:
        pq.write_table(splice_tracks(tracks_for), folder / "AJ-HG002.tracks.parquet")
        kwargs["tracks_path"] = folder / "AJ-HG002.tracks.parquet"
    if manifest:
        (folder / "manifest.json").write_text(json.dumps(manifest))
        kwargs["manifest_paths"] = [folder / "manifest.json"]
    return kwargs


BUNDLE_MANIFEST = {
    "name": "varrank-annotation-bundle", "version": "2023-07", "genome_build": "GRCh37",
    "sources": [{"name": "ClinVar", "release": "2023-07-10",
                 "url": "https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh37/"}],
    "files": [{"path": "clinvar.vcf.gz",
               "sha256": "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592"}]}


def full_rows(trio_rows: list[dict], data: Path) -> list[dict]:
    rows = annotate([dict(r) for r in trio_rows], data)
    splice_key = "1-949654-A-G"  # an ISG15 ClinVar match; marked splice here to get a plot
    for row in rows:
        if row["variant_key"] == splice_key:
            row["consequence"] = "splice_region_variant&synonymous_variant"
    return prioritise(score(rows))


# Payloads for injection tests: each would set window.__pwned if it ever ran.
PAYLOADS = {
    "vcf_id": "<script>window.__pwned='vcf_id'</script>",
    "filter": "\"><img src=x onerror=\"window.__pwned='filter'\">",
    "gene_symbol": "<script>window.__pwned='gene'</script>",
    "clinvar_conditions": "<svg onload=\"window.__pwned='info'\">Cond</svg>",
    "hgvs_c": "c.1A>G</span><script>window.__pwned='hgvs'</script>",
    "evidence": "</script><script>window.__pwned='evidence'</script>",
    "sample": "<b onmouseover=\"window.__pwned='sample'\">HG002</b>",
    "hpo_label": "<img src=x onerror=\"window.__pwned='hpo'\">",
    "qc": "<iframe src=\"javascript:window.__pwned='qc'\"></iframe>",
    "ledger": "<script>window.__pwned='ledger'</script>",
    "manifest": "<a href=\"javascript:window.__pwned='manifest'\">bundle</a>",
}


def write_hostile_obo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hp.obo").write_text(
        "format-version: 1.2\ndata-version: hp/releases/test\n\n[Term]\nid: HP:0000118\n"
        f"name: {PAYLOADS['hpo_label']}\n\n[Term]\nid: HP:0001250\nname: Seizure\n")
    return folder


def injection_inputs(folder: Path, data: Path, trio: list[dict]) -> dict:
    """A small 4-stage table in which untrusted text everywhere carries HTML/JS payloads."""
    rows = prioritise(score(annotate([dict(r) for r in trio[:400]], data)))
    ranked = [r for r in rows if r.get("rank")]
    target = ranked[0]
    target.update(vcf_id=PAYLOADS["vcf_id"], filter=PAYLOADS["filter"],
                  gene_symbol=PAYLOADS["gene_symbol"], clinvar_conditions=PAYLOADS["clinvar_conditions"],
                  hgvs_c=PAYLOADS["hgvs_c"],
                  evidence_json=json.dumps([{"code": "PM2", "description": PAYLOADS["evidence"]}]))
    stages = ("ingest", "annotate", "score", "prioritise")
    kwargs = write_inputs(folder, rows, stages, hpo=["HP:0000118", "HP:0001250"],
                          proband=PAYLOADS["sample"],
                          manifest={"name": PAYLOADS["manifest"], "version": "1",
                                    "files": [{"path": PAYLOADS["manifest"], "sha256": "0" * 64}]})
    qc = qc_document()
    qc[PAYLOADS["qc"]] = PAYLOADS["qc"]
    Path(kwargs["qc_path"]).write_text(json.dumps(qc))
    ledger_path = kwargs["ledger_paths"][0]
    entry = json.loads(Path(ledger_path).read_text())
    entry["dropped"] = {PAYLOADS["ledger"]: 1}
    entry["records_in"] += 1
    entry["examples"] = {PAYLOADS["ledger"]: [PAYLOADS["ledger"]]}
    Path(ledger_path).write_text(json.dumps(entry))
    kwargs["hpo_dir"] = write_hostile_obo(folder / "hpo")
    return kwargs
