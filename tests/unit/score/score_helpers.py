"""Builders shared by the SCORE tests: padded references and variant tables from real VCFs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pysam

from varrank.core.table_io import write_table

GRCH37_CHR17 = ("reference/GRCh37_chr17_41100001-41300000.fa", "17", 41100001)
GRCH38_CHR13 = ("reference/GRCh38_chr13_32300001-32500000.fa", "13", 32300001)


def read_slice(path: Path) -> str:
    return "".join(line.strip() for line in path.read_text().splitlines()[1:])


def padded_fasta(shared: Path, spec: tuple[str, str, int], out: Path) -> Path:
    """The slice padded with N to true chromosome coordinates, bgzipped and indexed.

    The N run compresses to almost nothing, so a 41 Mb contig costs a few hundred kB.
    """
    rel, name, start = spec
    seq = read_slice(shared / rel)
    plain = out.with_suffix("")
    with open(plain, "w") as handle:
        handle.write(f">{name}\n")
        full = "N" * (start - 1) + seq
        for i in range(0, len(full), 60):
            handle.write(full[i:i + 60] + "\n")
    pysam.tabix_compress(str(plain), str(out), force=True)
    plain.unlink()
    pysam.faidx(str(out))
    return out


def vcf_alleles(path: Path) -> list[tuple[str, int, str, str]]:
    """(chrom, pos, ref, alt) per ALT allele of a small text VCF (whitespace tolerant)."""
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chrom, pos, _id, ref, alts = line.split()[:5]
        for alt in alts.split(","):
            rows.append((chrom, int(pos), ref, alt))
    return rows


def variant_table(alleles, out: Path, patient: str = "P1", build: str = "GRCh37",
                  extra: dict[str, list] | None = None) -> Path:
    chrom, pos, ref, alt = zip(*alleles) if alleles else ((), (), (), ())
    data = {"chrom": list(chrom), "pos": list(pos), "ref": list(ref), "alt": list(alt),
            "variant_key": [f"{c}-{p}-{r}-{a}" for c, p, r, a in alleles]}
    data.update(extra or {})
    table = pa.table(data).cast(pa.schema([
        ("chrom", pa.string()), ("pos", pa.int64()), ("ref", pa.string()), ("alt", pa.string()),
        ("variant_key", pa.string())] + [(k, pa.float64()) for k in (extra or {})]))
    return write_table(table, out, {"patient": patient, "genome_build": build})
