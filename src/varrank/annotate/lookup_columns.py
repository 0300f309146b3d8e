"""Which source columns ANNOTATE reads, and the patient-table columns it writes them to.

One place for both the lookup (lookup.py) and the bundle build, which indexes only these
columns (lookup_index.py): a gnomAD table also holds per-group AC/AN and the like, kept in
DuckDB for queries but not worth a place in the memory-mapped index every lookup pages in.
"""

from __future__ import annotations

CLINVAR_COLUMNS = {
    "clinvar_variation_id": "variation_id", "clinvar_allele_id": "allele_id",
    "clinvar_significance": "significance", "clinvar_significance_conflicts": "significance_conflicts",
    "clinvar_review_status": "review_status", "clinvar_stars": "stars",
    "clinvar_conditions": "conditions",
}
GNOMAD_COLUMNS = {
    "gnomad_af": "af", "gnomad_grpmax_af": "grpmax_af", "gnomad_grpmax_pop": "grpmax_pop",
    "gnomad_ac": "ac", "gnomad_an": "an", "gnomad_nhomalt": "nhomalt", "gnomad_filter": "filter",
}
INHOUSE_COLUMNS = {"inhouse_classification": "classification", "inhouse_ac": "ac",
                   "inhouse_an": "an"}
SPLICEAI_COLUMNS = {"spliceai_precomputed": "spliceai"}
# missense predictors, by source kind: the patient-table columns PP3/BP4 read
PREDICTOR_COLUMNS = {
    "revel": {"revel_score": "revel"},
    "cadd": {"cadd_phred": "cadd_phred", "cadd_raw": "cadd_raw"},
    "alphamissense": {"alphamissense_score": "am_pathogenicity",
                      "alphamissense_class": "am_class"},
}
# mtDNA sources, by kind (docs/mitochondrial.md)
MITO_COLUMNS = {
    "gnomad_mito": {"gnomad_mt_af_hom": "af_hom", "gnomad_mt_af_het": "af_het",
                    "gnomad_mt_ac_hom": "ac_hom", "gnomad_mt_ac_het": "ac_het",
                    "gnomad_mt_an": "an", "gnomad_mt_max_heteroplasmy": "max_heteroplasmy",
                    "gnomad_mt_filter": "filter"},
    "helixmtdb": {"helixmtdb_af_hom": "af_hom", "helixmtdb_af_het": "af_het",
                  "helixmtdb_ac_hom": "ac_hom", "helixmtdb_ac_het": "ac_het",
                  "helixmtdb_max_heteroplasmy": "max_heteroplasmy"},
    "mitomap": {"mitomap_status": "status", "mitomap_disease": "disease",
                "mitomap_homoplasmy": "homoplasmy", "mitomap_heteroplasmy": "heteroplasmy",
                "mitomap_genbank_freq": "genbank_freq"},
    "mitotip": {"mitotip_score": "score", "mitotip_quartile": "quartile"},
    "mitimpact": {"apogee_score": "apogee_score", "apogee_class": "apogee_class"},
}
GROUP_AF_PREFIX = "af_"  # per genetic ancestry group AF columns: af_afr, af_nfe, ...

_NAMED = {"clinvar": set(CLINVAR_COLUMNS.values()), "gnomad": set(GNOMAD_COLUMNS.values()),
          "popfreq": {"af"}, "inhouse": set(INHOUSE_COLUMNS.values()),
          "spliceai": set(SPLICEAI_COLUMNS.values()),
          **{kind: set(cols.values()) for kind, cols in PREDICTOR_COLUMNS.items()},
          **{kind: set(cols.values()) for kind, cols in MITO_COLUMNS.items()}}


def group_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c.startswith(GROUP_AF_PREFIX)]


def group_label(column: str) -> str:
    """'af_nfe' -> 'nfe'."""
    return column[len(GROUP_AF_PREFIX):]


def read_by_lookup(kind: str, columns: list[str]) -> list[str]:
    """The value columns of a source of this kind that the lookup reads, in table order."""
    with_groups = kind in ("gnomad", "popfreq")
    return [c for c in columns
            if c in _NAMED.get(kind, set()) or with_groups and c.startswith(GROUP_AF_PREFIX)]
