"""Second pass, over the normalised rows: keep the proband's alleles and build the table.

Rows that cannot be reported are dropped with a reason: '*' (a deletion upstream spans the
site; the deletion itself is its own row), symbolic ALTs (structural variants are out of
INGEST's scope), the <NON_REF> row of a gVCF variant record, duplicates of an earlier row,
and rows where the proband does not carry the ALT (hom-ref) or has no call. The kept rows go
to the Parquet table and, unchanged, to the normalised VCF.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import cyvcf2
import pyarrow as pa

from varrank.core.alleles import GVCF_NON_REF, is_symbolic, trim, variant_type
from varrank.core.errors import InputError
from varrank.core.schema import arrow_schema, variant_key
from varrank.core.vocab import Zygosity
from varrank.ingest import reasons
from varrank.ingest.audit import DropRecorder
from varrank.ingest.genotypes import allele_depths, genotype, int_field
from varrank.ingest.normalise import OLD_TAG
from varrank.ingest.prefilter import LINE_TAG
from varrank.ingest.qc import QcAccumulator

log = logging.getLogger(__name__)
BATCH_ROWS = 65_536
ROW_ORDER = ("chrom", "pos", "ref", "alt", "variant_key", "vcf_id", "qual", "filter", "variant_type",
             "split_from", "left_aligned", "gt", "zygosity", "phased", "gq", "dp", "ad_ref", "ad_alt",
             "vaf", "family_zygosity", "csq_raw", "ann_raw")
PROGRESS_EVERY = 250_000


@dataclass
class ExtractResult:
    table: pa.Table
    rows_in: int
    rows_out: int


class _Columns:
    """Row tuples (in schema order) flushed to Arrow record batches: bounded memory on big
    VCFs, and one list append per row instead of one per cell."""

    def __init__(self) -> None:
        self.schema = arrow_schema("ingest")
        self.names = tuple(self.schema.names)
        self.batches: list[pa.RecordBatch] = []
        self.rows: list[tuple] = []

    def append(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            columns = list(zip(*self.rows))
            self.batches.append(pa.record_batch(
                [pa.array(columns[i], type=f.type) for i, f in enumerate(self.schema)], schema=self.schema))
            self.rows = []

    def table(self) -> pa.Table:
        self.flush()
        return pa.Table.from_batches(self.batches, schema=self.schema)


def _split_origin(old: str | None) -> tuple[str | None, bool]:
    """Parse OLD_VARIANT (``chr|pos|ref|alts[|allele]``): (split_from or None, was split)."""
    if not old:
        return None, False
    parts = old.split("|")
    if len(parts) >= 5:  # the allele index is present only for rows split from a multi-allelic
        return f"{parts[0]}:{parts[1]}:{parts[2]}:{parts[3]}", True
    return None, False


def _left_aligned(old: str | None, pos: int, ref: str, alt: str, normalised_with_fasta: bool) -> bool | None:
    if not normalised_with_fasta:
        return None
    if not old:
        return False
    parts = old.split("|")
    try:
        old_pos, old_ref, old_alts = int(parts[1]), parts[2], parts[3].split(",")
        old_alt = old_alts[int(parts[4]) - 1] if len(parts) >= 5 else old_alts[0]
    except (IndexError, ValueError):
        return None
    return trim(old_pos, old_ref.upper(), old_alt.upper()) != (pos, ref, alt)


def extract(
    norm_path: Path,
    out_vcf: Path,
    proband: str,
    drops: DropRecorder,
    qc: QcAccumulator,
    normalised_with_fasta: bool,
    header_lines: list[str],
    family: set[str] | frozenset[str] = frozenset(),
    source: Path | None = None,
) -> ExtractResult:
    """``family``: the other samples whose zygosity goes to ``family_zygosity``."""
    vcf = cyvcf2.VCF(str(norm_path), strict_gt=False)
    for line in header_lines:
        vcf.add_to_header(line)
    formats = {h.info().get("ID") for h in vcf.header_iter() if h.type == "FORMAT"}
    infos = {h.info().get("ID") for h in vcf.header_iter() if h.type == "INFO"}
    has_csq, has_ann = "CSQ" in infos, "ANN" in infos
    samples = list(vcf.samples)
    if "GT" not in formats:
        raise InputError("the VCF declares no FORMAT/GT, so it holds no genotypes to report",
                         hint="give the called (genotyped) VCF of the patient", path=source)
    p = samples.index(proband)
    others = [(i, s) for i, s in enumerate(samples) if s in family]
    writer = cyvcf2.Writer(str(out_vcf), vcf, mode="wz")
    columns = _Columns()
    assert columns.names == ROW_ORDER, "extract's row tuple must follow core.schema INGEST order"
    seen_here: set[tuple[str, str]] = set()
    here = (None, -1)
    rows_in = rows_out = 0
    try:
        for v in vcf:
            rows_in += 1
            if rows_in % PROGRESS_EVERY == 0:
                log.info("ingest: extracted %d rows (%s:%d)", rows_in, v.CHROM, v.POS)
            chrom, pos, ref = v.CHROM, v.POS, v.REF
            alt = v.ALT[0] if v.ALT else "."
            info = v.INFO  # each v.INFO access builds a new wrapper
            old = info.get(OLD_TAG)
            where = info.get(LINE_TAG)
            if alt == "*":
                drops.drop(reasons.STAR_ALLELE, where, chrom, pos, ref, alt)
                continue
            if alt in GVCF_NON_REF:
                drops.drop(reasons.GVCF_NON_REF_ALLELE, where, chrom, pos, ref, alt)
                continue
            if is_symbolic(alt):
                drops.drop(reasons.SYMBOLIC_ALLELE, where, chrom, pos, ref, alt)
                continue
            if not (ref.isupper() and alt.isupper()):
                # left-alignment takes bases from the FASTA, which may be soft-masked (lower case)
                ref, alt = ref.upper(), alt.upper()
                v.REF, v.ALT = ref, [alt]
            if not normalised_with_fasta:
                ref, alt = _trim_suffix(v, ref, alt)
            if alt == ref:
                drops.drop(reasons.ALT_EQUALS_REF, where, chrom, pos, ref, alt)
                continue
            try:
                genotypes = v.genotypes
            except Exception:  # cyvcf2: "error parsing genotypes" when a record has no GT
                drops.drop(reasons.PROBAND_NO_CALL, where, chrom, pos, ref, alt, "no GT in FORMAT")
                continue
            gt = genotype(genotypes[p][:-1], genotypes[p][-1])
            if gt.zygosity == Zygosity.HOM_REF:
                drops.drop(reasons.PROBAND_HOM_REF, where, chrom, pos, ref, alt, gt.gt or "")
                continue
            if gt.zygosity == Zygosity.NO_CALL:
                drops.drop(reasons.PROBAND_NO_CALL, where, chrom, pos, ref, alt, gt.gt or "./.")
                continue
            if (chrom, pos) != here:
                here, seen_here = (chrom, pos), set()
            key = (ref, alt)
            if key in seen_here:
                drops.drop(reasons.DUPLICATE_RECORD, where, chrom, pos, ref, alt, "first occurrence kept")
                continue
            seen_here.add(key)

            gq = int_field(v.format("GQ"), p) if "GQ" in formats else None
            dp = int_field(v.format("DP"), p) if "DP" in formats else None
            ad_ref, ad_alt, vaf = allele_depths(v.format("AD") if "AD" in formats else None, p)
            split_from, _ = _split_origin(old)
            filters = v.FILTERS
            filter_value = ";".join(filters) if filters else None  # '.' = no filters applied
            vtype = variant_type(ref, alt)
            family_json = None
            if others:
                family_json = json.dumps(
                    {s: genotype(genotypes[i][:-1], genotypes[i][-1]).zygosity for i, s in others},
                    sort_keys=True)
            columns.append((
                chrom, pos, ref, alt, variant_key(chrom, pos, ref, alt), v.ID,
                None if v.QUAL is None else float(v.QUAL), filter_value, vtype, split_from,
                _left_aligned(old, pos, ref, alt, normalised_with_fasta),
                gt.gt, gt.zygosity, gt.phased, gq, dp, ad_ref, ad_alt, vaf, family_json,
                _text(info.get("CSQ")) if has_csq else None,
                _text(info.get("ANN")) if has_ann else None,
            ))
            qc.add(chrom, pos, ref, alt, vtype, gt.zygosity, filter_value, gq, dp)
            writer.write_record(v)
            rows_out += 1
    finally:
        writer.close()
        vcf.close()
    return ExtractResult(columns.table(), rows_in, rows_out)


def _trim_suffix(v: cyvcf2.Variant, ref: str, alt: str) -> tuple[str, str]:
    """Without a FASTA, bcftools norm -m- splits but does not trim (AAAAC>CAAAC,A gives
    AAAAC>CAAAC). Dropping the shared suffix needs no reference and keeps POS, so the row
    order stays sorted; the shared-prefix trim and left-alignment need the FASTA."""
    trimmed_ref, trimmed_alt = ref, alt
    while len(trimmed_ref) > 1 and len(trimmed_alt) > 1 and trimmed_ref[-1] == trimmed_alt[-1]:
        trimmed_ref, trimmed_alt = trimmed_ref[:-1], trimmed_alt[:-1]
    if trimmed_ref != ref:
        v.REF, v.ALT = trimmed_ref, [trimmed_alt]
    return trimmed_ref, trimmed_alt


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return ",".join(str(x) for x in value)
    return str(value)

