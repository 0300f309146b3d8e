"""What each kind of database source contributes to the bundle, read from its VCF header.

One table per source in the bundle. Columns are declared here once, each tied to the INFO
keys that carry it in the official files (several spellings where releases renamed them:
gnomAD v4 ``AF_grpmax``/``grpmax`` were ``AF_popmax``/``popmax`` in v2). A key missing from a
file's header gives an all-null column, never zeros: absent means unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from varrank.annotate.vcf_text import VcfHeader
from varrank.core.errors import ResourceError

KINDS = ("clinvar", "gnomad", "popfreq", "inhouse", "spliceai", "revel", "cadd", "alphamissense",
         "gnomad_mito", "helixmtdb", "mitomap", "mitotip", "mitimpact")

# Genetic ancestry group labels used by gnomAD (v2-v4) and 1000 Genomes super-populations.
GROUPS = ("afr", "ami", "amr", "asj", "eas", "eur", "fin", "mid", "nfe", "oth", "remaining", "sas")


@dataclass(frozen=True)
class Field:
    column: str
    sql_type: str  # DuckDB type in the bundle
    keys: tuple[str, ...]  # INFO keys, first present wins; "%ID"/"%FILTER" are VCF columns


@dataclass
class SourceSpec:
    """A source as the user named it on the command line."""

    kind: str
    name: str
    paths: list[Path]
    release: str | None = None
    settings: dict = field(default_factory=dict)  # kind-specific facts for the manifest

    @property
    def table(self) -> str:
        return self.name


@dataclass
class Extraction:
    """The resolved columns of one source file: which INFO key feeds which column."""

    columns: list[tuple[str, str, str | None]] = field(default_factory=list)  # (col, type, key)

    def present(self) -> list[tuple[str, str, str]]:
        return [(c, t, k) for c, t, k in self.columns if k is not None]


# NCBI's ClinVar VCF names first; then the names of ClinVar-derived tables that labs and
# public resources ship (macarthur-lab/clinvar: CLINICAL_SIGNIFICANCE, REVIEW_STATUS, ...;
# BRCA Exchange: ClinicalSignificance, ReviewStatus), so such a file loads into the same columns.
CLINVAR_FIELDS = [
    Field("variation_id", "VARCHAR", ("VARIATION_ID", "%ID")),
    Field("allele_id", "VARCHAR", ("ALLELEID", "ALLELE_ID")),
    Field("significance", "VARCHAR", ("CLNSIG", "CLINICAL_SIGNIFICANCE", "ClinicalSignificance")),
    Field("significance_conflicts", "VARCHAR", ("CLNSIGCONF",)),
    Field("review_status", "VARCHAR", ("CLNREVSTAT", "REVIEW_STATUS", "ReviewStatus")),
    Field("conditions", "VARCHAR", ("CLNDN", "ALL_TRAITS")),
    Field("gene_info", "VARCHAR", ("GENEINFO", "SYMBOL", "Symbol")),
    Field("molecular_consequence", "VARCHAR", ("MC", "MOLECULAR_CONSEQUENCE")),
    Field("variant_type", "VARCHAR", ("CLNVC", "VARIATION_TYPE")),
]
SIGNIFICANCE_KEYS = CLINVAR_FIELDS[2].keys

_FREQ_CORE = [
    Field("af", "DOUBLE", ("AF",)),
    Field("ac", "BIGINT", ("AC",)),
    Field("an", "BIGINT", ("AN",)),
    Field("nhomalt", "BIGINT", ("nhomalt", "AC_Hom", "HOM")),
    Field("grpmax_af", "DOUBLE", ("AF_grpmax", "AF_popmax", "popmax_AF", "AF_POPMAX")),
    Field("grpmax_pop", "VARCHAR", ("grpmax", "popmax", "POPMAX")),
    Field("filter", "VARCHAR", ("%FILTER",)),
]


def _group_fields(header: VcfHeader) -> list[Field]:
    """Per-group AF/AC/AN in either gnomAD (``AF_nfe``) or 1000 Genomes (``EUR_AF``) spelling."""
    fields: list[Field] = []
    for grp in GROUPS:
        for stat, sql in (("af", "DOUBLE"), ("ac", "BIGINT"), ("an", "BIGINT")):
            candidates = (f"{stat.upper()}_{grp}", f"{grp.upper()}_{stat.upper()}",
                          f"{stat.upper()}_{grp.upper()}")
            if any(k in header.info for k in candidates):
                fields.append(Field(f"{stat}_{grp}", sql, candidates))
    return fields


INHOUSE_FIELDS = [
    Field("classification", "VARCHAR", ("CLASSIFICATION", "CLASS")),
    Field("ac", "BIGINT", ("AC",)),
    Field("an", "BIGINT", ("AN",)),
    Field("nhomalt", "BIGINT", ("nhomalt", "HOM")),
]


# Illumina's precomputed SpliceAI VCFs (spliceai_scores.{raw,masked}.{snv,indel}.hg3*.vcf.gz) and
# any VCF the spliceai CLI annotated: one INFO key, one entry per allele and gene.
SPLICEAI_FIELDS = [Field("spliceai", "VARCHAR", ("SpliceAI",))]
SPLICEAI_FORMAT = "ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL"


# Missense predictors' precomputed tables (predictor_tables.py turns them into these INFO keys;
# a VCF that already carries the same keys loads the same way).
PREDICTOR_FIELDS = {
    "revel": [Field("revel", "DOUBLE", ("REVEL",))],
    "cadd": [Field("cadd_phred", "DOUBLE", ("CADD_PHRED",)),
             Field("cadd_raw", "DOUBLE", ("CADD_RAW",))],
    "alphamissense": [Field("am_pathogenicity", "DOUBLE", ("AM_PATHOGENICITY",)),
                      Field("am_class", "VARCHAR", ("AM_CLASS",))],
}

# mtDNA sources (mito_tables.py turns the tables into these INFO keys; MitImpact is a VCF)
PREDICTOR_FIELDS.update({
    "gnomad_mito": [Field("af_hom", "DOUBLE", ("GNOMAD_MT_AF_HOM",)),
                    Field("af_het", "DOUBLE", ("GNOMAD_MT_AF_HET",)),
                    Field("ac_hom", "BIGINT", ("GNOMAD_MT_AC_HOM",)),
                    Field("ac_het", "BIGINT", ("GNOMAD_MT_AC_HET",)),
                    Field("an", "BIGINT", ("GNOMAD_MT_AN",)),
                    Field("max_heteroplasmy", "DOUBLE", ("GNOMAD_MT_MAX_HL",)),
                    Field("filter", "VARCHAR", ("GNOMAD_MT_FILTER",))],
    "helixmtdb": [Field("af_hom", "DOUBLE", ("HELIX_AF_HOM",)),
                  Field("af_het", "DOUBLE", ("HELIX_AF_HET",)),
                  Field("ac_hom", "BIGINT", ("HELIX_AC_HOM",)),
                  Field("ac_het", "BIGINT", ("HELIX_AC_HET",)),
                  Field("max_heteroplasmy", "DOUBLE", ("HELIX_MAX_ARF",))],
    "mitomap": [Field("status", "VARCHAR", ("MITOMAP_STATUS",)),
                Field("disease", "VARCHAR", ("MITOMAP_DISEASE",)),
                Field("homoplasmy", "VARCHAR", ("MITOMAP_HOMOPLASMY",)),
                Field("heteroplasmy", "VARCHAR", ("MITOMAP_HETEROPLASMY",)),
                Field("genbank_freq", "DOUBLE", ("MITOMAP_GBFREQ",))],
    "mitotip": [Field("score", "DOUBLE", ("MITOTIP_SCORE",)),
                Field("quartile", "VARCHAR", ("MITOTIP_QUARTILE",))],
    "mitimpact": [Field("apogee_score", "DOUBLE", ("APS", "APOGEE_SCORE")),
                  Field("apogee_class", "VARCHAR", ("AP", "APOGEE"))],
})
MITO_KINDS = ("gnomad_mito", "helixmtdb", "mitomap", "mitotip", "mitimpact")


def fields_for(kind: str, header: VcfHeader) -> list[Field]:
    if kind == "clinvar":
        return CLINVAR_FIELDS
    if kind in ("gnomad", "popfreq"):
        return _FREQ_CORE + _group_fields(header)
    if kind == "inhouse":
        return INHOUSE_FIELDS
    if kind == "spliceai":
        return SPLICEAI_FIELDS
    if kind in PREDICTOR_FIELDS:
        return PREDICTOR_FIELDS[kind]
    raise ValueError(kind)


def resolve(kind: str, header: VcfHeader) -> Extraction:
    """Pick, for every column, the first INFO key the header declares; check the kind fits."""
    if kind == "clinvar" and not any(k in header.info for k in SIGNIFICANCE_KEYS):
        raise ResourceError("not a ClinVar VCF: the header declares no INFO/CLNSIG "
                            "(nor a ClinVar-derived CLINICAL_SIGNIFICANCE/ClinicalSignificance)",
                            hint="use the weekly VCF from ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh3*/",
                            path=header.path, line=header.n_lines)
    if kind in ("gnomad", "popfreq") and "AF" not in header.info and not (
            "AC" in header.info and "AN" in header.info):
        raise ResourceError(f"not an allele-frequency VCF: no INFO/AF (or AC and AN) for {kind}",
                            path=header.path, line=header.n_lines)
    if kind == "spliceai":
        _check_spliceai_header(header)
    if kind in PREDICTOR_FIELDS and not any(
            k in header.info for f in PREDICTOR_FIELDS[kind] for k in f.keys):
        keys = ", ".join(k for f in PREDICTOR_FIELDS[kind] for k in f.keys)
        raise ResourceError(f"not a {kind} score file: the VCF header declares none of {keys}",
                            hint=f"give the {kind} table as distributed", path=header.path,
                            line=header.n_lines)
    extraction = Extraction()
    for fld in fields_for(kind, header):
        key = next((k for k in fld.keys if k.startswith("%") or k in header.info), None)
        extraction.columns.append((fld.column, fld.sql_type, key))
    return extraction


def _check_spliceai_header(header: VcfHeader) -> None:
    """The INFO/SpliceAI declaration must name the ten fields in spliceai 1.3's order: the
    values are read by position (score/precomputed.py)."""
    definition = header.info.get("SpliceAI")
    if definition is None or SPLICEAI_FORMAT not in (definition.description or ""):
        raise ResourceError(
            "not a SpliceAI score VCF: the header declares no INFO/SpliceAI with Format: "
            + SPLICEAI_FORMAT,
            hint="use Illumina's precomputed spliceai_scores.*.vcf.gz or a VCF written by the "
                 "spliceai CLI", path=header.path, line=header.n_lines)
