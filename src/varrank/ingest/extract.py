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
from dataclasses import dataclass, field
from pathlib import Path

import cyvcf2
import pyarrow as pa

from varrank.core.alleles import GVCF_NON_REF, is_symbolic, trim, variant_type
from varrank.core.errors import InputError
from varrank.core.progress import Progress
from varrank.core.schema import arrow_schema, variant_key
from varrank.core.vocab import Zygosity
from varrank.ingest import reasons
from varrank.ingest.audit import DropRecorder
from varrank.ingest.genotypes import allele_depths, genotype, int_field
from varrank.ingest.normalise import OLD_TAG
from varrank.ingest.prefilter import LINE_TAG, guarded
from varrank.ingest.qc import QcAccumulator

log = logging.getLogger(__name__)
BATCH_ROWS = 65_536
ROW_ORDER = ("chrom", "pos", "ref", "alt", "variant_key", "vcf_id", "qual", "filter", "variant_type",
             "split_from", "left_aligned", "gt", "zygosity", "phased", "gq", "dp", "ad_ref", "ad_alt",
             "vaf", "family_zygosity", "csq_raw", "ann_raw")
# the row fields QcAccumulator.add takes, in its argument order
_QC_FIELDS = tuple(ROW_ORDER.index(c) for c in ("chrom", "pos", "ref", "alt", "variant_type",
                                                "zygosity", "filter", "gq", "dp"))


@dataclass
class ExtractResult:
    table: pa.Table
    rows_in: int
    rows_out: int


class _Columns:
    """Row tuples (in schema order) flushed to Arrow record batches: bounded memory on big
    VCFs, and one list append per row instead of one per cell."""

    def __init__(self) -> None:
        # the calls' columns; the heteroplasmy ones are added after (ingest/heteroplasmy.py)
        self.schema = pa.schema([arrow_schema("ingest").field(n) for n in ROW_ORDER])
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


@dataclass
class _Reading:
    """What every record of one normalised file is read with."""

    proband: int                          # the proband's sample column
    others: list[tuple[int, str]]         # the family's columns for family_zygosity
    formats: set[str]
    has_csq: bool
    has_ann: bool
    normalised_with_fasta: bool
    drops: DropRecorder
    here: tuple[str | None, int] = (None, -1)
    seen_here: set[tuple[str, str]] = field(default_factory=set)


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
    reading = _reading(vcf, proband, family, source, drops, normalised_with_fasta)
    writer = cyvcf2.Writer(str(out_vcf), vcf, mode="wz")
    columns = _Columns()
    assert columns.names == ROW_ORDER, "extract's row tuple must follow core.schema INGEST order"
    rows_in = rows_out = 0
    progress = Progress("ingest: extracting", unit="rows")
    try:
        for v in guarded(iter(vcf), lambda _n, last: _readback_error(last, source)):
            rows_in += 1
            progress.update()
            row = _row(v, reading)
            if row is None:
                continue
            columns.append(row)
            qc.add(*(row[i] for i in _QC_FIELDS))
            writer.write_record(v)
            rows_out += 1
    finally:
        writer.close()
        vcf.close()
    progress.finish()
    return ExtractResult(columns.table(), rows_in, rows_out)


def _reading(vcf: cyvcf2.VCF, proband: str, family, source: Path | None, drops: DropRecorder,
             normalised_with_fasta: bool) -> _Reading:
    formats = {h.info().get("ID") for h in vcf.header_iter() if h.type == "FORMAT"}
    infos = {h.info().get("ID") for h in vcf.header_iter() if h.type == "INFO"}
    if "GT" not in formats:
        raise InputError("the VCF declares no FORMAT/GT, so it holds no genotypes to report",
                         hint="give the called (genotyped) VCF of the patient", path=source)
    samples = list(vcf.samples)
    return _Reading(samples.index(proband), [(i, s) for i, s in enumerate(samples) if s in family],
                    formats, "CSQ" in infos, "ANN" in infos, normalised_with_fasta, drops)


def _row(v: cyvcf2.Variant, r: _Reading) -> tuple | None:
    """The table row of one normalised record (ROW_ORDER), or None when it is dropped (the
    reason recorded with its input line)."""
    chrom, pos, ref = v.CHROM, v.POS, v.REF
    alt = v.ALT[0] if v.ALT else "."
    info = v.INFO  # each v.INFO access builds a new wrapper
    old, where = info.get(OLD_TAG), info.get(LINE_TAG)
    reason = _allele_drop(alt)
    if reason is not None:
        r.drops.drop(reason, where, chrom, pos, ref, alt)
        return None
    if not (ref.isupper() and alt.isupper()):
        # left-alignment takes bases from the FASTA, which may be soft-masked (lower case)
        ref, alt = ref.upper(), alt.upper()
        v.REF, v.ALT = ref, [alt]
    if not r.normalised_with_fasta:
        ref, alt = _trim_suffix(v, ref, alt)
    genotypes, gt, reason, detail = _proband_call(v, r.proband, ref, alt)
    if reason is None and _repeated(r, chrom, pos, ref, alt):
        reason, detail = reasons.DUPLICATE_RECORD, "first occurrence kept"
    if reason is not None:
        r.drops.drop(reason, where, chrom, pos, ref, alt, *([detail] if detail is not None else []))
        return None
    gq = int_field(_format(v, "GQ"), r.proband) if "GQ" in r.formats else None
    dp = int_field(_format(v, "DP"), r.proband) if "DP" in r.formats else None
    ad_ref, ad_alt, vaf = allele_depths(_format(v, "AD") if "AD" in r.formats else None, r.proband)
    filters = v.FILTERS
    family_json = json.dumps(
        {s: genotype(genotypes[i][:-1], genotypes[i][-1]).zygosity for i, s in r.others},
        sort_keys=True) if r.others else None
    return (chrom, pos, ref, alt, variant_key(chrom, pos, ref, alt), v.ID,
            None if v.QUAL is None else float(v.QUAL),
            ";".join(filters) if filters else None,  # None: no filters applied ('.')
            variant_type(ref, alt), _split_origin(old)[0],
            _left_aligned(old, pos, ref, alt, r.normalised_with_fasta),
            gt.gt, gt.zygosity, gt.phased, gq, dp, ad_ref, ad_alt, vaf, family_json,
            _text(info.get("CSQ")) if r.has_csq else None,
            _text(info.get("ANN")) if r.has_ann else None)


def _allele_drop(alt: str) -> str | None:
    if alt == "*":
        return reasons.STAR_ALLELE
    if alt in GVCF_NON_REF:
        return reasons.GVCF_NON_REF_ALLELE
    if is_symbolic(alt):
        return reasons.SYMBOLIC_ALLELE
    return None


def _proband_call(v: cyvcf2.Variant, p: int, ref: str, alt: str):
    """(genotypes, proband's Genotype, drop reason or None, detail) for one record."""
    if alt == ref:
        return None, None, reasons.ALT_EQUALS_REF, None
    try:
        genotypes = v.genotypes
    except Exception:  # cyvcf2: "error parsing genotypes" when a record has no GT
        return None, None, reasons.PROBAND_NO_CALL, "no GT in FORMAT"
    gt = genotype(genotypes[p][:-1], genotypes[p][-1])
    if gt.zygosity == Zygosity.HOM_REF:
        return genotypes, gt, reasons.PROBAND_HOM_REF, gt.gt or ""
    if gt.zygosity == Zygosity.NO_CALL:
        return genotypes, gt, reasons.PROBAND_NO_CALL, gt.gt or "./."
    return genotypes, gt, None, None


def _repeated(r: _Reading, chrom: str, pos: int, ref: str, alt: str) -> bool:
    """This allele was already kept at this position (then it is a duplicate record);
    bcftools norm writes identical records next to each other, so one position suffices."""
    if (chrom, pos) != r.here:
        r.here, r.seen_here = (chrom, pos), set()
    if (ref, alt) in r.seen_here:
        return True
    r.seen_here.add((ref, alt))
    return False


def _readback_error(last: cyvcf2.Variant | None, source: Path | None) -> InputError:
    """htslib failing on a row bcftools norm wrote, reported against the input file (the line
    after the last row read), not as cyvcf2's bare Exception."""
    line = last.INFO.get(LINE_TAG) if last is not None else None
    return InputError("a record could not be read back after normalisation"
                      + (f" (the first after input line {line})" if line else ""),
                      hint="check the records there with bcftools view; please report the "
                           "file if they look valid", path=source)


def _format(v: cyvcf2.Variant, key: str):
    """One FORMAT field's values; None when htslib's header lacks the key after all (a
    ##FORMAT line with two ID= attributes reads as one ID here and another in htslib)."""
    try:
        return v.format(key)
    except KeyError:
        return None


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

