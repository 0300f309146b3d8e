"""mtDNA sources as distributed, read as VCF lines for the bundle build.

Four tables (MitImpact comes as a VCF and is read as one):

- ``gnomad_mito``: gnomAD v3.1 chrM sites as the browser's TSV export (``chromosome position
  ref alt filters AC_hom AC_het AF_hom AF_het AN max_observed_heteroplasmy``; Laricchia et al.
  2022, Genome Res 32:569): homoplasmic and heteroplasmic (>= 10%) frequencies of 56,434 genomes.
- ``helixmtdb``: HelixMTdb (Bolze et al. 2020, bioRxiv 798264; 196,554 individuals):
  ``locus`` as ``chrM:POS``, ``alleles`` as ``["REF","ALT"]``, ``counts_hom AF_hom counts_het
  AF_het mean_ARF max_ARF`` (ARF: alternate read fraction, i.e. heteroplasmy).
- ``mitomap``: MITOMAP's disease-associated variants (``pos ref alt ... homoplasmy heteroplasmy
  disease status ... gbfreq``): the status ``Cfrm`` (confirmed pathogenic) is evidence, the
  disease names are shown.
- ``mitotip``: MitoTIP tRNA scores (Sonney et al. 2017, PLoS Comput Biol 13:e1005867;
  ``Position rCRS Alt MitoTIP_Score Quartile ...``).

Each row becomes one VCF record on ``chrM`` (rCRS coordinates, as every one of these
tables uses), so it goes through the same contig, REF and normalisation checks as every
other source. Rows the build cannot place are left out and counted in the build log: a
deletion written with MITOMAP's ``:`` notation (no VCF alleles), a missing value. An allele
listed twice keeps its first row (MITOMAP lists a few alleles once per disease report).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from varrank.annotate.inhouse_tsv import encode
from varrank.annotate.predictor_tables import _record
from varrank.annotate.vcf_text import iter_lines
from varrank.core.errors import ResourceError

log = logging.getLogger(__name__)
CHROM = "chrM"
MISSING = ("", ".", "NA", "NaN", "nan")
BASES = frozenset("ACGTN")

Locus = Callable[[dict[str, str]], tuple[str, str, str, str]]


def _columns_locus(chrom: str | None, pos: str, ref: str, alt: str) -> Locus:
    return lambda row: (row[chrom] if chrom else CHROM, row[pos], row[ref], row[alt])


def _helix_locus(row: dict[str, str]) -> tuple[str, str, str, str]:
    """``chrM:3243`` and ``["A","G"]`` -> (chrM, 3243, A, G)."""
    chrom, _, pos = row["locus"].partition(":")
    try:
        ref, alt = json.loads(row["alleles"])
    except (ValueError, TypeError):
        return chrom, pos, "", ""
    return chrom, pos, str(ref), str(alt)


@dataclass(frozen=True)
class MitoFormat:
    """One table: its label, the columns that place a row, the values kept (column -> INFO
    key, VCF Type), and the data's terms (recorded in the manifest and the report)."""

    label: str
    required: tuple[str, ...]
    locus: Locus
    values: dict[str, tuple[str, str]]
    licence: str


FORMATS = {
    "gnomad_mito": MitoFormat(
        "gnomAD chrM", ("chromosome", "position", "ref", "alt", "af_hom", "af_het"),
        _columns_locus("chromosome", "position", "ref", "alt"),
        {"filters": ("GNOMAD_MT_FILTER", "String"), "ac_hom": ("GNOMAD_MT_AC_HOM", "Integer"),
         "ac_het": ("GNOMAD_MT_AC_HET", "Integer"), "af_hom": ("GNOMAD_MT_AF_HOM", "Float"),
         "af_het": ("GNOMAD_MT_AF_HET", "Float"), "an": ("GNOMAD_MT_AN", "Integer"),
         "max_observed_heteroplasmy": ("GNOMAD_MT_MAX_HL", "Float")},
        "gnomAD: ODbL 1.0 (Laricchia et al. 2022)"),
    "helixmtdb": MitoFormat(
        "HelixMTdb", ("locus", "alleles", "af_hom", "af_het"), _helix_locus,
        {"counts_hom": ("HELIX_AC_HOM", "Integer"), "af_hom": ("HELIX_AF_HOM", "Float"),
         "counts_het": ("HELIX_AC_HET", "Integer"), "af_het": ("HELIX_AF_HET", "Float"),
         "max_arf": ("HELIX_MAX_ARF", "Float")},
        "HelixMTdb: Helix terms of use, research (Bolze et al. 2020)"),
    "mitomap": MitoFormat(
        "MITOMAP disease", ("pos", "ref", "alt", "status", "disease"),
        _columns_locus(None, "pos", "ref", "alt"),
        {"status": ("MITOMAP_STATUS", "String"), "disease": ("MITOMAP_DISEASE", "String"),
         "homoplasmy": ("MITOMAP_HOMOPLASMY", "String"),
         "heteroplasmy": ("MITOMAP_HETEROPLASMY", "String"),
         "gbfreq": ("MITOMAP_GBFREQ", "Float")},
        "MITOMAP: free for research and clinical use with citation (Lott et al. 2013)"),
    "mitotip": MitoFormat(
        "MitoTIP", ("position", "rcrs", "alt", "mitotip_score", "quartile"),
        _columns_locus(None, "position", "rcrs", "alt"),
        {"mitotip_score": ("MITOTIP_SCORE", "Float"), "quartile": ("MITOTIP_QUARTILE", "String")},
        "MitoTIP (MITOMAP): free with citation (Sonney et al. 2017)"),
}
KINDS = tuple(FORMATS)
# MitImpact comes as a VCF (AP, APS from MitoHPC's MITIMPACT.vcf.gz): a kind of its own
VCF_KINDS = ("mitimpact",)
MITIMPACT_LICENCE = "MitImpact: CC BY-NC-SA (Castellana et al. 2015, 2017 APOGEE)"


def mitimpact_lines(path: Path) -> Iterator[tuple[int, str]]:
    """MitImpact's VCF with each allele once: where two genes overlap (MT-ATP8/MT-ATP6,
    MT-ND4L/MT-ND4) it lists an allele once per protein change, in adjacent records; the
    highest APOGEE score is kept (the allele's most damaging reading), as for REVEL."""
    held: tuple[int, str, tuple[str, ...]] | None = None
    repeated = 0
    for n, line in iter_lines(path):
        if line.startswith("#"):
            yield n, line
            continue
        cols = line.split("\t", 8)
        key = (cols[0], cols[1], *cols[3:5])
        if held is not None and held[2] == key:
            repeated += 1
            if _aps(line) > _aps(held[1]):
                held = (n, line, key)
            continue
        if held is not None:
            yield held[0], held[1]
        held = (n, line, key)
    if held is not None:
        yield held[0], held[1]
    if repeated:
        log.info("%s: %d repeated MitImpact allele(s) (overlapping genes); the highest APOGEE "
                 "score kept", path.name, repeated)


def _aps(line: str) -> float:
    for item in line.split("\t")[7].split(";") if line.count("\t") >= 7 else ():
        if item.startswith("APS="):
            try:
                return float(item[4:])
            except ValueError:
                return float("-inf")
    return float("-inf")


def looks_like(path: Path) -> bool:
    """A table, not a VCF (a VCF carrying the same INFO keys loads the same way)."""
    for _, line in iter_lines(path):
        return not line.startswith("##fileformat=VCF")
    return True


def table_as_vcf_lines(kind: str, path: Path) -> Iterator[tuple[int, str]]:
    """Yield (table line number, VCF line): a synthetic header, then one record per allele."""
    fmt = FORMATS[kind]
    lines = iter_lines(path)
    first = next(lines, None)
    if first is None:
        raise ResourceError(f"empty {fmt.label} table", path=path, line=1)
    names = [c.strip().lower() for c in first[1].split("\t")]
    missing = [c for c in fmt.required if c not in names]
    if missing:
        raise ResourceError(f"not a {fmt.label} table: its header lacks {', '.join(missing)}",
                            hint=f"give the {fmt.label} file as distributed", path=path,
                            line=first[0])
    yield 0, "##fileformat=VCFv4.2"
    for column, (key, vtype) in fmt.values.items():
        yield 0, f'##INFO=<ID={key},Number=1,Type={vtype},Description="{fmt.label} {column}">'
    yield 0, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    left_out: Counter[str] = Counter()
    joined: Counter[str] = Counter()
    seen: set[tuple[str, ...]] = set()
    for n, line in _joined(lines, len(names), joined):
        row = _row(fmt, names, line, path, n, left_out)
        if row is None:
            continue
        if row[0] in seen:
            left_out["allele listed again (first row kept)"] += 1
            continue
        seen.add(row[0])
        yield _record(n, *row)
    for reason, count in left_out.items():
        log.info("%s: %d %s row(s) left out: %s", path.name, count, fmt.label, reason)
    if joined:
        log.info("%s: %d %s row(s) broken over two lines by a newline inside a field were "
                 "joined again", path.name, sum(joined.values()), fmt.label)


def _joined(lines: Iterator[tuple[int, str]], width: int, left_out: Counter[str]
            ) -> Iterator[tuple[int, str]]:
    """The table's rows, a row broken by a newline inside a text field joined again: MITOMAP's
    2022-05-25 disease table has one (a disease name over two lines). A short line is joined
    with the next only when together they make exactly one row; otherwise both stand and the
    short one is reported by _row."""
    held: tuple[int, str] | None = None
    for n, line in lines:
        if held is not None:
            joined = held[1].rstrip("\r\n") + " " + line
            if joined.count("\t") + 1 == width:
                left_out["joined"] += 1
                yield held[0], joined
                held = None
                continue
            yield held
            held = None
        if line.strip() and line.count("\t") + 1 < width - 1:
            held = (n, line)
            continue
        yield n, line
    if held is not None:
        yield held


def _row(fmt: MitoFormat, names: list[str], line: str, path: Path, n: int,
         left_out: Counter[str]) -> tuple[tuple[str, ...], dict[str, str]] | None:
    """((chrom, pos, ref, alt), {INFO key: text}) of one line; None when left out."""
    if not line.strip():
        return None
    cells = line.rstrip("\r\n").split("\t")
    if len(cells) > len(names) or len(cells) < len(names) - 1:
        raise ResourceError(f"row has {len(cells)} columns, the header has {len(names)}",
                            path=path, line=n,
                            hint=f"the {fmt.label} file is cut or edited; use it as distributed")
    row = dict(zip(names, (c.strip() for c in cells)))
    chrom, pos, ref, alt = fmt.locus(row)
    if not pos.isdigit():
        raise ResourceError(f"{fmt.label} position {pos[:30]!r} is not a number", path=path,
                            line=n, hint=f"give the {fmt.label} file as distributed")
    if not ref or not alt or not set(ref.upper()) <= BASES or not set(alt.upper()) <= BASES:
        left_out["no single VCF REF/ALT pair (MITOMAP's ':' deletion notation, a HelixMTdb "
                 "list of three alleles)"] += 1
        return None
    values = {key: encode(row[col]) for col, (key, _) in fmt.values.items()
              if row.get(col, "") not in MISSING}
    if ref.upper() == alt.upper():
        left_out["ALT equals REF (MITOMAP lists the rCRS's own rare alleles, e.g. 750A)"] += 1
        return None
    return (chrom, pos, ref.upper(), alt.upper()), values
