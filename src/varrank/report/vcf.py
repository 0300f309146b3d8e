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
import pyarrow.compute as pc
import pysam
from pysam.libcbgzf import BGZFile

from varrank.core import schema as table_schema
from varrank.core.table_meta import TableMetadata
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


def _contigs(table: pa.Table, metadata: TableMetadata) -> list[tuple[str, int | None]]:
    """Contigs in reference order with lengths, then any the reference lacks; without them,
    the table's contigs in first-seen order. The lengths come from the footer (INGEST read
    the .fai), so REPORT needs no FASTA: in a container or on a cloud node the path INGEST
    saw is not there. Tables written before the footer had them fall back to that FASTA."""
    seen = pc.unique(table["chrom"]).to_pylist() if len(table) else []  # first-seen order
    lengths = metadata.contigs or _fasta_lengths(metadata.fasta)
    ordered = list(lengths.items())
    return ordered + [(name, None) for name in seen if name not in lengths]


def _fasta_lengths(fasta: str | None) -> dict[str, int]:
    if not fasta or not Path(str(fasta) + ".fai").is_file():
        return {}  # never build an index from REPORT (the FASTA may be read-only or remote)
    try:
        with pysam.FastaFile(str(fasta)) as handle:
            return dict(zip(handle.references, handle.lengths))
    except (OSError, ValueError):
        return {}


def _gt(text: Any) -> tuple[tuple[int | None, ...], bool] | None:
    text = clean(text)
    if text is None:
        return None
    phased = "|" in text
    alleles = []
    for part in re.split(r"[/|]", text):
        alleles.append(int(part) if part.isdigit() and int(part) <= 1 else None)
    return tuple(alleles), phased


def _header(table: pa.Table, metadata: TableMetadata, sample: str | None) -> pysam.VariantHeader:
    header = pysam.VariantHeader()
    header.add_line("##source=varrank")
    if metadata.genome_build:
        header.add_line(f"##varrank_genome_build={percent_encode(metadata.genome_build)}")
    if metadata.fasta:
        header.add_line(f"##reference=file://{percent_encode(metadata.fasta)}")
    for name, length in _contigs(table, metadata):
        if length:
            header.contigs.add(name, length=length)
        else:
            header.contigs.add(name)
    for name, vcf_type, number, desc in info_columns(table):
        header.info.add(INFO_PREFIX + name, number, vcf_type, desc)
    if "filter" in table.column_names:
        for value in pc.unique(table["filter"]).to_pylist():
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


def write_vcf(table: pa.Table, metadata: TableMetadata, path: Path) -> Path:
    """Write ``path`` (.vcf.gz, bgzip) and its .tbi; return the VCF path.

    Records are formatted as text column by column (the pysam record API costs ~1 ms per
    record with 60 INFO fields; a genome has millions) and written through htslib's BGZF;
    the header comes from pysam's VariantHeader and the tests read the file back with pysam
    and bcftools."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample = _safe_sample(metadata.proband)
    header = _header(table, metadata, sample)
    info_cols = info_columns(table)
    ordered = _sorted(table, list(header.contigs))
    tmp = path.with_name(f".{path.name}.tmp.gz")
    written = 0
    with BGZFile(str(tmp), "wb") as out:
        out.write(str(header).encode("utf-8"))
        for batch in ordered.to_batches(max_chunksize=65536):
            lines = _format_batch(batch, info_cols, bool(sample))
            written += len(lines)
            out.write(("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    final_tmp = Path(pysam.tabix_index(str(tmp), preset="vcf", force=True))
    final_tmp.replace(path)
    Path(str(final_tmp) + ".tbi").replace(Path(str(path) + ".tbi"))
    log.info("annotated VCF: %d records -> %s", written, path)
    return path


_ENCODE_TABLE = str.maketrans(_ENCODE)


def _text(value: Any) -> str | None:
    """A cell as VCF text (percent-encoded), or None when missing."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if value != value or value in (float("inf"), float("-inf")) else f"{value:.6g}"
    if isinstance(value, bool):
        return "1" if value else None
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.strip().lower() in ("", ".", "nan", "none", "null", "na", "n/a"):
        return None
    return text.translate(_ENCODE_TABLE)


def _format_batch(batch: pa.RecordBatch, info_cols: list, with_sample: bool) -> list[str]:
    data = {name: batch.column(name).to_pylist() for name in batch.schema.names}
    n = batch.num_rows
    empty = [None] * n
    info_lists = [(INFO_PREFIX + name, vcf_type, data.get(name, empty))
                  for name, vcf_type, _number, _desc in info_cols]
    lines = []
    for i in range(n):
        vcf_id = _text(data.get("vcf_id", empty)[i])
        if vcf_id is not None:  # ';' separates IDs in VCF: keep it, encode within each ID
            vcf_id = ";".join(p for p in vcf_id.split("%3B") if p) or None
        qual = _text(data.get("qual", empty)[i])
        filters = [_FILTER_OK.sub("_", f.strip()) for f in str(data.get("filter", empty)[i] or "").split(";")]
        filters = [f for f in filters if f and f.lower() not in ("nan", "none")]
        info = []
        for key, vcf_type, values in info_lists:
            value = values[i]
            if vcf_type == "Flag":
                if value is True:
                    info.append(key)
                continue
            text = _text(value)
            if text is not None:
                info.append(f"{key}={text}")
        fields = [data["chrom"][i], str(data["pos"][i]), vcf_id or ".", data["ref"][i],
                  data["alt"][i], qual or ".", ";".join(filters) or ".", ";".join(info) or "."]
        if with_sample:
            fields += ["GT:GQ:DP:AD", _sample_text(data, empty, i)]
        lines.append("\t".join(fields))
    return lines


def _sample_text(data: dict[str, list], empty: list, i: int) -> str:
    parsed = _gt(data.get("gt", empty)[i])
    if parsed:
        alleles, phased = parsed
        gt = ("|" if phased else "/").join("." if a is None else str(a) for a in alleles)
    else:
        gt = "."
    gq, dp = data.get("gq", empty)[i], data.get("dp", empty)[i]
    ad_ref, ad_alt = data.get("ad_ref", empty)[i], data.get("ad_alt", empty)[i]
    ad = "." if ad_ref is None and ad_alt is None else \
        f"{'.' if ad_ref is None else ad_ref},{'.' if ad_alt is None else ad_alt}"
    return ":".join((gt, "." if gq is None else str(gq), "." if dp is None else str(dp), ad))


def _sorted(table: pa.Table, contigs: list[str]) -> pa.Table:
    """Sort by contig (reference order), position, alleles, as tabix needs."""
    index = pc.index_in(table["chrom"], value_set=pa.array(contigs, type=pa.string()))
    keyed = table.append_column("__contig_index", pc.fill_null(index, len(contigs)))
    keyed = keyed.sort_by([("__contig_index", "ascending"), ("pos", "ascending"),
                           ("ref", "ascending"), ("alt", "ascending")])
    return keyed.drop_columns(["__contig_index"])
