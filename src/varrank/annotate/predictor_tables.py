"""Missense predictors' official precomputed tables, read as VCF lines for the bundle build.

REVEL (``revel_with_transcript_ids``: a CSV ``chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,
REVEL[,Ensembl_transcriptid]``), CADD (``whole_genome_SNVs.tsv.gz`` and its InDel/exome
files: ``## CADD ...`` then ``#Chrom Pos Ref Alt RawScore PHRED``) and AlphaMissense
(``AlphaMissense_hg38.tsv.gz``: ``# Copyright ...`` then ``#CHROM POS REF ALT genome uniprot_id
transcript_id protein_variant am_pathogenicity am_class``) are not VCFs. Each row becomes one
VCF record with the score in INFO, so the file goes through the same contig, REF and
normalisation checks as every other source (in-house tables do the same, inhouse_tsv.py).

Two rules that the formats need, both counted in the build log:

- REVEL has one position column per build; a row without a position on the bundle's build
  (``.``: an allele only hg19 has) is left out.
- REVEL, and AlphaMissense where genes overlap, repeat an allele once per protein change; the
  rows are adjacent in the sorted files and the highest score is kept (the allele's most
  damaging reading), as a lookup by allele can hold one value.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from varrank.annotate.vcf_text import iter_lines
from varrank.core.errors import ResourceError


@dataclass(frozen=True)
class TableFormat:
    """Where one predictor's columns are: header names (lower case) -> INFO key."""

    label: str
    delimiter: str
    chrom: str
    pos: dict[str, str]  # genome -> position column
    ref: str
    alt: str
    scores: dict[str, tuple[str, str]]  # column -> (INFO key, VCF Type)
    best: str  # the score that decides which of an allele's repeated rows is kept
    genome_column: str | None = None  # AlphaMissense names its build per row (hg38 / hg19)
    licence: str = ""  # the data's terms, recorded in the manifest and the report's Methods


FORMATS = {
    "revel": TableFormat("REVEL", ",", "chr", {"GRCh38": "grch38_pos", "GRCh37": "hg19_pos"},
                         "ref", "alt", {"revel": ("REVEL", "Float")}, "revel",
                         licence="REVEL: free for non-commercial use (Ioannidis et al. 2016)"),
    "cadd": TableFormat("CADD", "\t", "chrom", {"GRCh38": "pos", "GRCh37": "pos"}, "ref", "alt",
                        {"phred": ("CADD_PHRED", "Float"), "rawscore": ("CADD_RAW", "Float")},
                        "phred", licence="CADD: free for non-commercial use; commercial use "
                                         "needs a licence (Rentzsch et al. 2019)"),
    "alphamissense": TableFormat(
        "AlphaMissense", "\t", "chrom", {"GRCh38": "pos", "GRCh37": "pos"}, "ref", "alt",
        {"am_pathogenicity": ("AM_PATHOGENICITY", "Float"), "am_class": ("AM_CLASS", "String")},
        "am_pathogenicity", genome_column="genome",
        licence="AlphaMissense: CC BY-NC-SA 4.0, non-commercial use (Cheng et al. 2023)"),
}
KINDS = tuple(FORMATS)
log = logging.getLogger(__name__)
_GENOME_LABELS = {"GRCh38": {"hg38", "grch38"}, "GRCh37": {"hg19", "grch37"}}


def looks_like(kind: str, path: Path) -> bool:
    """Whether ``path`` is a table rather than a VCF (a VCF of the scores is read as one)."""
    for _, line in iter_lines(path):
        return not line.startswith("##fileformat=VCF")
    return kind in FORMATS


def table_as_vcf_lines(kind: str, path: Path, genome: str) -> Iterator[tuple[int, str]]:
    """Yield (table line number, VCF line): a synthetic header, then one record per allele."""
    fmt = FORMATS[kind]
    n, names, rows = _header(fmt, path, iter_lines(path))
    index = _columns(fmt, names, genome, path, n)
    yield 0, "##fileformat=VCFv4.2"
    for column, (key, vtype) in fmt.scores.items():
        yield 0, f'##INFO=<ID={key},Number=1,Type={vtype},Description="{fmt.label} {column}">'
    yield 0, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    left_out: Counter[str] = Counter()
    held: tuple[int, tuple[str, ...], dict[str, str]] | None = None
    for n, line in rows:
        row = _row(fmt, index, len(names), line, path, n, genome, left_out)
        if row is None:
            continue
        if held is not None and held[1] == row[0]:
            best = fmt.scores[fmt.best][0]
            if _score(row[1].get(best)) > _score(held[2].get(best)):
                held = (held[0], *row)
            left_out["repeated allele (highest score kept)"] += 1
            continue
        if held is not None:
            yield _record(*held)
        held = (n, *row)
    if held is not None:
        yield _record(*held)
    for reason, count in left_out.items():
        log.info("%s: %d %s row(s) left out: %s", path.name, count, fmt.label, reason)


def _header(fmt: TableFormat, path: Path, lines: Iterator[tuple[int, str]]
            ) -> tuple[int, list[str], Iterator[tuple[int, str]]]:
    """(line number, lower-case column names, the data lines): REVEL's first line names its
    columns; CADD and AlphaMissense name them on the last of their leading '#' lines."""
    header: tuple[int, str] | None = None
    for n, line in lines:
        if fmt.delimiter == ",":
            header = (n, line)
            break
        if not line.startswith("#"):
            lines = chain([(n, line)], lines)
            break
        header = (n, line)
    if header is None:
        raise ResourceError(f"no {fmt.label} column header", path=path, line=1,
                            hint=f"give the {fmt.label} table as distributed (its header kept)")
    names = [c.strip().lstrip("#").strip().lower() for c in header[1].split(fmt.delimiter)]
    return header[0], names, lines


def _columns(fmt: TableFormat, names: list[str], genome: str, path: Path, n: int
             ) -> dict[str, int]:
    """Column name -> index of what the format needs; a missing one names the file's line."""
    wanted = [fmt.chrom, fmt.pos[genome], fmt.ref, fmt.alt, *fmt.scores]
    wanted += [fmt.genome_column] if fmt.genome_column else []
    missing = [c for c in wanted if c not in names]
    if missing:
        raise ResourceError(f"not a {fmt.label} table: its header lacks {', '.join(missing)}",
                            path=path, line=n,
                            hint=f"give the {fmt.label} file as distributed")
    return {c: names.index(c) for c in wanted}


def _row(fmt: TableFormat, index: dict[str, int], width: int, line: str, path: Path, n: int,
         genome: str, left_out: Counter[str]) -> tuple[tuple[str, ...], dict[str, str]] | None:
    """((chrom, pos, ref, alt), {score column: text}) of one line; None when left out."""
    if not line.strip():
        return None
    cells = [c.strip() for c in line.split(fmt.delimiter)]
    if len(cells) < max(index.values()) + 1 or len(cells) > width:
        raise ResourceError(f"row has {len(cells)} columns, the header has {width}",
                            path=path, line=n,
                            hint=f"the {fmt.label} file is cut or edited; use it as distributed")
    if fmt.genome_column and cells[index[fmt.genome_column]].lower() not in _GENOME_LABELS[genome]:
        raise ResourceError(f"{fmt.label} row is {cells[index[fmt.genome_column]]} but the bundle "
                            f"is {genome}", path=path, line=n,
                            hint=f"use the {fmt.label} file of {genome}")
    pos = cells[index[fmt.pos[genome]]]
    if pos in ("", ".", "NA"):
        left_out[f"no {genome} position"] += 1
        return None
    key = (cells[index[fmt.chrom]], pos, cells[index[fmt.ref]], cells[index[fmt.alt]])
    values = {fmt.scores[c][0]: cells[index[c]] for c in fmt.scores
              if cells[index[c]] not in ("", ".", "NA")}
    return key, values


def _score(text: str | None) -> float:
    try:
        return float(text) if text is not None else float("-inf")
    except ValueError:
        return float("-inf")


def _record(n: int, key: tuple[str, ...], values: dict[str, str]) -> tuple[int, str]:
    chrom, pos, ref, alt = key
    info = ";".join(f"{k}={v}" for k, v in values.items()) or "."
    return n, "\t".join([chrom, pos, ".", ref, alt, ".", ".", info])
