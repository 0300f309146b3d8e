"""Heteroplasmy of the proband's mtDNA alleles: the fraction of mtDNA copies carrying the ALT.

A cell holds hundreds to thousands of mtDNA copies, so a mitochondrial allele is not "het"
or "hom" but present at a level between 0 and 1 (McCormick et al. 2020, Hum Mutat 41:2028).
Mitochondrial callers write it as FORMAT/AF (GATK Mutect2 ``--mitochondria-mode``, the
gnomAD pipeline, mtDNA-Server) or FORMAT/HF (MitoHPC); other callers give read counts
(FORMAT/AD) only; population-scale call sets (1000 Genomes chrMT) give a haploid GT and no
counts at all. The level is taken, per row on chrM/MT, from the first that is usable:

1. FORMAT/AF, then FORMAT/HF, when the value is a number within 0-1;
2. AD: alt / (ref + alt) reads of the split row;
3. a haploid ALT call without either: homoplasmic by the caller's call, level unknown.

A level outside 0-1 (FORMAT/AF 1.3) is not used: the row keeps every other field, the AD
ratio stands in when there is one, and the row is flagged (``heteroplasmy_flag`` and the
ledger's ``flagged`` count), as is an AD sum above the site depth DP or a FORMAT/AF that
disagrees with the AD ratio by more than ``DISAGREEMENT``. Nothing is dropped for it.
``plasmy`` uses gnomAD's cut-off: homoplasmic at >= 95% (Laricchia et al. 2022, Genome Res
32:569, which calls heteroplasmies from 10% to 95%).

This runs after extraction, on the normalised VCF INGEST wrote (its records are the table's
rows, in order), and reads only the mitochondrial contig: a nuclear-only VCF costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cyvcf2
import pyarrow as pa

from varrank.core.genome import is_mitochondrial
from varrank.core.ledger import Ledger
from varrank.core.schema import HETEROPLASMY_COLUMNS, arrow_schema

FRACTION_KEYS = ("AF", "HF")  # FORMAT keys holding the allele fraction, first present wins
HOMOPLASMY_MIN = 0.95  # Laricchia 2022 (gnomAD chrM): >= 95% is homoplasmic
DISAGREEMENT = 0.2  # |FORMAT/AF - AD ratio| above this is flagged (project default)
HOMOPLASMIC, HETEROPLASMIC = "homoplasmic", "heteroplasmic"
FLAG_OUT_OF_RANGE = "heteroplasmy_out_of_range"
FLAG_AD_OVER_DP = "heteroplasmy_ad_exceeds_dp"
FLAG_AF_AD_DISAGREE = "heteroplasmy_af_ad_disagree"


@dataclass(frozen=True)
class Level:
    """One row's heteroplasmy columns."""

    fraction: float | None = None
    source: str | None = None
    plasmy: str | None = None
    flags: tuple[tuple[str, str], ...] = ()  # (ledger reason, text for the row)


def level(given: dict[str, float | None], ad_ref: int | None, ad_alt: int | None,
          dp: int | None, gt: str | None) -> Level:
    """The heteroplasmy of one row from its FORMAT fractions, AD, DP and GT."""
    flags: list[tuple[str, str]] = []
    ratio = ad_alt / (ad_ref + ad_alt) if ad_ref is not None and ad_alt is not None \
        and ad_ref + ad_alt > 0 else None
    if ratio is not None and dp is not None and ad_ref + ad_alt > dp:
        flags.append((FLAG_AD_OVER_DP, f"AD {ad_ref},{ad_alt} sums to {ad_ref + ad_alt} > DP {dp}"))
    fraction, source = None, None
    for key, value in given.items():
        if value is None:
            continue
        if 0.0 <= value <= 1.0:
            fraction, source = value, f"FORMAT/{key}"
            break
        flags.append((FLAG_OUT_OF_RANGE, f"FORMAT/{key}={value:g} is outside 0-1, not used"))
    if fraction is not None and ratio is not None and abs(fraction - ratio) > DISAGREEMENT:
        flags.append((FLAG_AF_AD_DISAGREE, f"{source}={fraction:.3g} but AD gives {ratio:.3g}"))
    if fraction is None and ratio is not None:
        fraction, source = ratio, "AD"
    if fraction is not None:
        plasmy = HOMOPLASMIC if fraction >= HOMOPLASMY_MIN else HETEROPLASMIC
        return Level(round(fraction, 6), source, plasmy, tuple(flags))
    if gt is not None and "/" not in gt and "|" not in gt and gt not in (".", "0"):
        return Level(None, "GT", HOMOPLASMIC, tuple(flags))  # haploid ALT call, no counts
    return Level(None, None, None, tuple(flags))


def _fractions(v: cyvcf2.Variant, keys: list[str], sample: int) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in keys:
        try:
            values = v.format(key)
        except KeyError:
            values = None
        raw = None if values is None else values[sample].ravel()
        value = float(raw[0]) if raw is not None and raw.size and raw.dtype.kind == "f" else None
        out[key] = None if value is None or math.isnan(value) else value
    return out


def add_heteroplasmy(table: pa.Table, vcf_path, proband: str, ledger: Ledger) -> pa.Table:
    """``table`` with the heteroplasmy columns (null off chrM/MT), flags counted in ``ledger``."""
    n = table.num_rows
    cols: dict[str, list] = {c: [None] * n for c in HETEROPLASMY_COLUMNS}
    chroms = table.column("chrom").to_pylist()
    mito = [c for c in dict.fromkeys(chroms) if c is not None and is_mitochondrial(c)]
    if mito:
        _fill(table, chroms, mito, vcf_path, proband, ledger, cols)
    schema = arrow_schema("ingest")
    for name in HETEROPLASMY_COLUMNS:
        table = table.append_column(schema.field(name), pa.array(cols[name],
                                                                  schema.field(name).type))
    return table


def _fill(table: pa.Table, chroms: list, mito: list[str], vcf_path, proband: str,
          ledger: Ledger, cols: dict[str, list]) -> None:
    """Read the mitochondrial records of the normalised VCF beside their table rows."""
    rows = [i for i, c in enumerate(chroms) if c in mito]
    get = {c: table.column(c).to_pylist() for c in ("pos", "ref", "alt", "ad_ref", "ad_alt",
                                                    "dp", "gt", "variant_key")}
    vcf = cyvcf2.VCF(str(vcf_path), strict_gt=False)
    try:
        keys = [k for k in FRACTION_KEYS if _declares_format(vcf, k)]
        sample = list(vcf.samples).index(proband)
        records = (v for contig in mito for v in vcf(contig))
        for i, v in zip(rows, records):
            if (v.POS, v.REF, v.ALT[0]) != (get["pos"][i], get["ref"][i], get["alt"][i]):
                raise AssertionError(f"heteroplasmy: VCF record {v.CHROM}:{v.POS} is not "
                                     f"table row {get['variant_key'][i]}")
            found = level(_fractions(v, keys, sample), get["ad_ref"][i], get["ad_alt"][i],
                          get["dp"][i], get["gt"][i])
            _store(cols, i, found, get["variant_key"][i], ledger)
    finally:
        vcf.close()


def _declares_format(vcf: cyvcf2.VCF, key: str) -> bool:
    return any(h.type == "FORMAT" and h.info().get("ID") == key for h in vcf.header_iter())


def _store(cols: dict[str, list], i: int, found: Level, key: str, ledger: Ledger) -> None:
    cols["heteroplasmy"][i] = found.fraction
    cols["heteroplasmy_source"][i] = found.source
    cols["plasmy"][i] = found.plasmy
    if found.flags:
        cols["heteroplasmy_flag"][i] = "; ".join(text for _, text in found.flags)
        for reason, _ in found.flags:
            ledger.flag(reason, example=key)

