"""The lab's own table of prior classifications and allele counts, read as VCF lines.

Labs keep this as a spreadsheet export: a TSV with a header naming at least chrom, pos,
ref, alt and one of classification / ac. Turning it into VCF text lets it go through the
same validation and normalisation as every other source, so a lab's right-shifted indel
still meets the patient's left-aligned one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from varrank.annotate.vcf_text import iter_lines
from varrank.core.errors import ResourceError

REQUIRED = ("chrom", "pos", "ref", "alt")
OPTIONAL = {"classification": "String", "ac": "Integer", "an": "Integer", "nhomalt": "Integer"}
INFO_KEY = {"classification": "CLASSIFICATION", "ac": "AC", "an": "AN", "nhomalt": "nhomalt"}


def encode(value: str) -> str:
    """Percent-encode what VCF INFO cannot hold (VCF 4.3 section 1.2)."""
    return (value.replace("%", "%25").replace(";", "%3B").replace("=", "%3D")
            .replace(",", "%2C").replace(" ", "%20").replace("\t", "%09"))


def decode(value: str | None) -> str | None:
    if value is None:
        return None
    for code, char in (("%09", "\t"), ("%20", " "), ("%2C", ","), ("%3D", "="), ("%3B", ";"),
                       ("%25", "%")):
        value = value.replace(code, char)
    return value


def tsv_as_vcf_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (TSV line number, VCF line): a synthetic header, then one record per row."""
    lines = iter_lines(path)
    try:
        n, first = next(lines)
    except StopIteration:
        raise ResourceError("empty in-house table", path=path, line=1) from None
    names = [c.strip().lower().lstrip("#") for c in first.split("\t")]
    missing = [c for c in REQUIRED if c not in names]
    if missing or not any(c in names for c in OPTIONAL):
        raise ResourceError(
            f"in-house table header must name {', '.join(REQUIRED)} and at least one of "
            f"{', '.join(OPTIONAL)}; missing: {', '.join(missing) or 'classification/ac'}",
            path=path, line=n)
    present = [c for c in OPTIONAL if c in names]
    yield 0, "##fileformat=VCFv4.2"
    for col in present:
        yield 0, (f'##INFO=<ID={INFO_KEY[col]},Number=1,Type={OPTIONAL[col]},'
                  f'Description="in-house {col}">')
    yield 0, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    index = {c: names.index(c) for c in REQUIRED + tuple(present)}
    for n, line in lines:
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(names):
            raise ResourceError(f"row has {len(cells)} columns, the header has {len(names)}",
                                path=path, line=n)
        info = [f"{INFO_KEY[c]}={encode(cells[index[c]].strip())}" for c in present
                if cells[index[c]].strip() not in ("", ".", "NA")]
        yield n, "\t".join([cells[index["chrom"]].strip(), cells[index["pos"]].strip(), ".",
                            cells[index["ref"]].strip(), cells[index["alt"]].strip(), ".", ".",
                            ";".join(info) or "."])
