"""One transcript-level effect, the common shape both annotators are parsed into."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pyarrow as pa

AA3 = {"Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
       "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
       "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
       "Sec": "U", "Pyl": "O", "Xaa": "X"}
_P_SUBST = re.compile(r"^p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|=|\*)")
_C_OFFSET = re.compile(r"^[cn]\.[-*]?\d+([+-]\d+)")


@dataclass
class TranscriptEffect:
    gene_symbol: str | None
    gene_id: str | None
    transcript_id: str | None
    biotype: str | None
    consequence: str  # SO terms joined by '&', most severe first
    impact: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    exon: str | None
    intron: str | None
    cdna_position: str | None
    cds_position: str | None
    protein_position: int | None
    amino_acids: str | None
    distance: int | None
    is_mane_select: bool | None
    is_canonical: bool | None
    splice_distance: int | None
    annotator: str
    messages: str | None
    severity: int

    def as_row(self) -> dict:
        row = asdict(self)
        row.pop("severity")
        return row


TRANSCRIPT_SCHEMA = pa.schema([
    ("variant_key", pa.string()), ("chrom", pa.string()), ("pos", pa.int64()),
    ("ref", pa.string()), ("alt", pa.string()),
    ("gene_symbol", pa.string()), ("gene_id", pa.string()), ("transcript_id", pa.string()),
    ("biotype", pa.string()), ("consequence", pa.string()), ("impact", pa.string()),
    ("hgvs_c", pa.string()), ("hgvs_p", pa.string()), ("exon", pa.string()),
    ("intron", pa.string()), ("cdna_position", pa.string()), ("cds_position", pa.string()),
    ("protein_position", pa.int32()), ("amino_acids", pa.string()), ("distance", pa.int64()),
    ("is_mane_select", pa.bool_()), ("is_canonical", pa.bool_()),
    ("splice_distance", pa.int32()), ("annotator", pa.string()), ("messages", pa.string()),
    ("preferred", pa.bool_()),
])


_P_SYNONYMOUS = re.compile(r"^p\.([A-Z][a-z]{2})(\d+)\1$")


def hgvs_p_synonymous_as_equal(hgvs_p: str | None) -> str | None:
    """snpEff writes 'p.Ser1796Ser'; current HGVS (and VEP) write 'p.Ser1796='."""
    if hgvs_p and (match := _P_SYNONYMOUS.match(hgvs_p)):
        return f"p.{match.group(1)}{match.group(2)}="
    return hgvs_p


def amino_acids_from_hgvs_p(hgvs_p: str | None) -> str | None:
    """'p.Arg123Trp' -> 'R/W'; 'p.Leu5=' -> 'L'; None for frameshifts and others."""
    if not hgvs_p:
        return None
    match = _P_SUBST.match(hgvs_p)
    if not match:
        return None
    ref = AA3.get(match.group(1))
    alt = match.group(3)
    if ref is None:
        return None
    if alt == "=":
        return ref
    alt1 = "*" if alt == "*" else AA3.get(alt)
    return f"{ref}/{alt1}" if alt1 else None


def intronic_offset(hgvs_c: str | None) -> int | None:
    """'c.4186-1596G>A' -> -1596; 'c.80+5G>A' -> 5; exonic names -> None."""
    if not hgvs_c:
        return None
    match = _C_OFFSET.match(hgvs_c)
    return int(match.group(1)) if match else None


def to_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    head = value.split("/")[0].split("-")[0]
    return int(head) if head.isdigit() else None
