"""The report's mtDNA blocks: each chrM/MT finding's heteroplasmy and mtDNA evidence, and a
section listing every mitochondrial variant with its level (docs/mitochondrial.md).

Heteroplasmy is what a clinician reads first on an mtDNA variant (disease appears above a
tissue threshold; McCormick et al. 2020), so the section gives it for every carried allele,
ranked or not, beside MITOMAP's status and the homoplasmic/heteroplasmic population
frequencies. Every text value is cleaned (values.clean) and autoescaped when rendered.
"""

from __future__ import annotations

from typing import Any, Callable

import pyarrow as pa

from varrank.core.genome import is_mitochondrial
from varrank.report import columns as cols
from varrank.report.values import clean

Get = Callable[[str], Any]


def m_notation(get: Get) -> str | None:
    """HGVS m. name of an SNV on rCRS (``m.3243A>G``); None for other allele shapes."""
    ref, alt, pos = get("ref"), get("alt"), get("pos")
    if isinstance(ref, str) and isinstance(alt, str) and len(ref) == len(alt) == 1:
        return f"m.{pos}{ref}>{alt}"
    return None


def mito_finding(get: Get) -> dict[str, Any] | None:
    """The mtDNA block of one finding; None off chrM/MT."""
    if not is_mitochondrial(str(get("chrom") or "")):
        return None
    return {
        "hgvs_m": m_notation(get), "locus": get("mito_locus"),
        "heteroplasmy": get("heteroplasmy"), "heteroplasmy_source": get("heteroplasmy_source"),
        "plasmy": get("plasmy"), "heteroplasmy_flag": get("heteroplasmy_flag"),
        "mitomap": {"status": get("mitomap_status"), "disease": get("mitomap_disease"),
                    "release": get("mitomap_release")} if get("mitomap_status") else None,
        "gnomad": {"af_hom": get("gnomad_mt_af_hom"), "af_het": get("gnomad_mt_af_het"),
                   "max_heteroplasmy": get("gnomad_mt_max_heteroplasmy"),
                   "an": get("gnomad_mt_an"), "release": get("gnomad_mito_release")}
        if get("gnomad_mt_an") is not None or get("gnomad_mt_af_hom") is not None else None,
        "helixmtdb": {"af_hom": get("helixmtdb_af_hom"), "af_het": get("helixmtdb_af_het"),
                      "max_heteroplasmy": get("helixmtdb_max_heteroplasmy")}
        if get("helixmtdb_af_hom") is not None else None,
        "mitotip": {"score": get("mitotip_score"), "quartile": get("mitotip_quartile")}
        if get("mitotip_score") is not None else None,
        "apogee": {"score": get("apogee_score"), "class": get("apogee_class")}
        if get("apogee_score") is not None else None,
    }


def mitochondrial_section(table: pa.Table) -> dict[str, Any]:
    """Every chrM/MT row of the table, by rank: its level, MITOMAP status and frequencies."""
    chroms = cols.column(table, "chrom").to_pylist()
    rows = [i for i, c in enumerate(chroms) if c is not None and is_mitochondrial(str(c))]
    if not rows:
        return {"total": 0, "items": []}
    items = []
    for row in cols.rank_order(table.take(rows)).to_pylist():
        get = lambda name, row=row: clean(row.get(name))  # noqa: E731
        items.append({"rank": get("rank"), "variant_key": get("variant_key"),
                      "gene": get("gene_symbol"), "acmg_codes": get("acmg_codes"),
                      "acmg_class": get("acmg_class_points"),
                      "excluded_reason": get("excluded_reason"), **mito_finding(get)})
    return {"total": len(items), "items": items}
