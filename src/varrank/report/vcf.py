"""The annotated VCF: the variant table back in VCF form, bgzipped and tabix-indexed.

Every column a stage added becomes an INFO field ``VR_<column>`` with a header line that
carries the schema's description, so any VCF tool (bcftools, IGV, a LIMS importer) reads
varrank's results. String values are percent-encoded as VCF 4.3 section 1.2 requires for
the characters that would break a record (``%:;=,`` space, tab, CR, LF); the same applies
to IDs and FILTER names, which are untrusted text from the input VCF. The proband's
genotype is written in FORMAT (GT:GQ:DP:AD) under the proband's sample name.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pysam

from varrank.core import schema as table_schema
from varrank.report.values import clean

log = logging.getLogger(__name__)

INFO_PREFIX = "VR_"
# Ingest columns already expressed by the VCF record itself (or too bulky to repeat).
NOT_IN_INFO = {"chrom", "pos", "ref", "alt", "vcf_id", "qual", "filter", "gt", "zygosity",
               "phased", "gq", "dp", "ad_ref", "ad_alt", "csq_raw", "ann_raw", "evidence_json",
               "family_zygosity"}
_ARROW_TO_VCF = (
    (pa.types.is_boolean, "Flag", "0"),
    (pa.types.is_integer, "Integer", "1"),
    (pa.types.is_floating, "Float", "1"),
)
_ENCODE = {c: f"%{ord(c):02X}" for c in "%:;=, \t\r\n"}
_FILTER_OK = re.compile(r"[^A-Za-z0-9_.\-]")


def percent_encode(text: str) -> str:
    """VCF 4.3 percent-encoding of the characters with a meaning inside a record."""
    return "".join(_ENCODE.get(c, c) for c in text)


def _vcf_type(dtype: pa.DataType) -> tuple[str, str]:
    for test, vcf_type, number in _ARROW_TO_VCF:
        if test(dtype):
            return vcf_type, number
    return "String", "1"


def info_columns(table: pa.Table) -> list[tuple[str, str, str, str]]:
    """(column, vcf type, number, description) for each column that becomes INFO."""
    described = {c.name: c for c in table_schema.ALL_COLUMNS}
    result = []
    for field in table.schema:
        if field.name in NOT_IN_INFO:
            continue
        vcf_type, number = _vcf_type(field.type)
        column = described.get(field.name)
        desc = column.description if column else f"varrank column {field.name}"
        stage = column.stage.upper() if column else "unknown stage"
        desc = f"{desc} (varrank {stage})".replace('"', "'")
        result.append((field.name, vcf_type, number, desc))
    return result


def _contigs(table: pa.Table, metadata: dict[str, Any]) -> list[tuple[str, int | None]]:
    """Contigs in reference order (from the FASTA index when it is readable)."""
    seen = list(dict.fromkeys(table.column("chrom").to_pylist())) if len(table) else []
    fasta = metadata.get("fasta")
    fai = Path(str(fasta) + ".fai") if fasta else None
    if fai and fai.exists():
        lengths = {}
        for line in fai.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                lengths[parts[0]] = int(parts[1])
        ordered = [(name, length) for name, length in lengths.items()]
        extra = [(name, None) for name in seen if name not in lengths]
        return ordered + extra
    return [(name, None) for name in seen]


def _gt(text: Any) -> tuple[tuple[int | None, ...], bool] | None:
    text = clean(text)
    if text is None:
        return None
    phased = "|" in text
    alleles = []
    for part in re.split(r"[/|]", text):
        alleles.append(int(part) if part.isdigit() and int(part) <= 1 else None)
    return tuple(alleles), phased


def _header(table: pa.Table, metadata: dict[str, Any], sample: str | None) -> pysam.VariantHeader:
    header = pysam.VariantHeader()
    header.add_line("##source=varrank")
    if metadata.get("genome_build"):
        header.add_line(f"##varrank_genome_build={percent_encode(str(metadata['genome_build']))}")
    if metadata.get("fasta"):
        header.add_line(f"##reference=file://{percent_encode(str(metadata['fasta']))}")
    for name, length in _contigs(table, metadata):
        if length:
            header.contigs.add(name, length=length)
        else:
            header.contigs.add(name)
    for name, vcf_type, number, desc in info_columns(table):
        header.info.add(INFO_PREFIX + name, number, vcf_type, desc)
    if "filter" in table.column_names:
        for value in set(table.column("filter").to_pylist()):
            for name in (clean(value) or "").split(";"):
                name = _FILTER_OK.sub("_", name.strip())
                if name and name != "PASS" and name not in header.filters:
                    header.filters.add(name, None, None, "FILTER from the input VCF")
    if sample:
        header.formats.add("GT", 1, "String", "Genotype")
        header.formats.add("GQ", 1, "Integer", "Genotype quality")
        header.formats.add("DP", 1, "Integer", "Read depth")
        header.formats.add("AD", "R", "Integer", "Allelic depths for the ref and alt alleles")
        header.add_sample(sample)
    return header


def _safe_sample(name: Any) -> str | None:
    name = clean(name)
    if name is None:
        return None
    return re.sub(r"[\t\n\r]", "_", str(name))


def write_vcf(table: pa.Table, metadata: dict[str, Any], path: Path) -> Path:
    """Write ``path`` (.vcf.gz, bgzip) and its .tbi; return the VCF path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample = _safe_sample(metadata.get("proband"))
    header = _header(table, metadata, sample)
    contig_order = {name: i for i, name in enumerate(header.contigs)}
    info_cols = info_columns(table)
    rows = table.to_pylist()
    rows.sort(key=lambda r: (contig_order.get(r["chrom"], 1 << 30), r["pos"], r["ref"], r["alt"]))
    tmp = path.with_name(f".{path.name}.tmp.gz")
    with pysam.VariantFile(str(tmp), "wz", header=header) as out:
        for row in rows:
            record = out.new_record(contig=row["chrom"], start=int(row["pos"]) - 1,
                                    alleles=(row["ref"], row["alt"]))
            vcf_id = clean(row.get("vcf_id"))
            if vcf_id is not None:
                record.id = ";".join(percent_encode(part) for part in str(vcf_id).split(";") if part)
            qual = clean(row.get("qual"))
            if qual is not None:
                record.qual = float(qual)
            for name in (clean(row.get("filter")) or "").split(";"):
                name = _FILTER_OK.sub("_", name.strip())
                if name:
                    record.filter.add(name)
            for name, vcf_type, _number, _desc in info_cols:
                value = clean(row.get(name))
                if value is None:
                    continue
                key = INFO_PREFIX + name
                if vcf_type == "Flag":
                    if value:
                        record.info[key] = True
                elif vcf_type == "String":
                    record.info[key] = percent_encode(str(value))
                else:
                    record.info[key] = value
            if sample:
                _set_sample(record.samples[sample], row)
            out.write(record)
    final_tmp = Path(pysam.tabix_index(str(tmp), preset="vcf", force=True, keep_original=True))
    final_tmp.replace(path)
    Path(str(final_tmp) + ".tbi").replace(Path(str(path) + ".tbi"))
    log.info("annotated VCF: %d records -> %s", len(rows), path)
    return path


def _set_sample(call: Any, row: dict[str, Any]) -> None:
    parsed = _gt(row.get("gt"))
    if parsed:
        call["GT"], call.phased = parsed
    for key, column in (("GQ", "gq"), ("DP", "dp")):
        value = clean(row.get(column))
        if value is not None:
            call[key] = int(value)
    ad_ref, ad_alt = clean(row.get("ad_ref")), clean(row.get("ad_alt"))
    if ad_ref is not None or ad_alt is not None:
        call["AD"] = (ad_ref, ad_alt)
