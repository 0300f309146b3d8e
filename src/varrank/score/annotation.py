"""Gene models for SpliceAI scoring, in the original tool's annotation format.

Format (tab-separated, header ``#NAME CHROM STRAND TX_START TX_END EXON_START EXON_END``;
starts 0-based, ends 1-based, exon lists comma-terminated) as shipped in the spliceai wheel
(GENCODE v24 canonical transcripts, one per gene). Using the same file as the original is what
makes scores comparable: the transcript bounds decide which context bases are replaced by N
and the exon boundaries decide masking (-M).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from varrank.core.errors import InputError
from varrank.core.genome import bare_name

HEADER = ["#NAME", "CHROM", "STRAND", "TX_START", "TX_END", "EXON_START", "EXON_END"]


@dataclass(frozen=True)
class Gene:
    name: str
    chrom: str  # bare name (no chr prefix) so VCF and FASTA naming styles both match
    strand: str
    tx_start: int  # 1-based inclusive
    tx_end: int  # 1-based inclusive
    boundaries: tuple[int, ...]  # sorted exon starts (1-based) and ends, as the original unions

    def nearest_boundary(self, pos: int) -> int:
        """Signed distance to the closest exon boundary; ties go to the upstream one.

        Mirrors ``min(np.union1d(starts, ends) - pos, key=abs)`` of the original, whose
        first-minimum rule picks the smaller coordinate on a tie.
        """
        diffs = np.asarray(self.boundaries, dtype=np.int64) - pos
        return int(diffs[int(np.argmin(np.abs(diffs)))])


class SpliceAnnotation:
    """Genes indexed by contig for position lookups (file order kept, as the original)."""

    def __init__(self, genes: list[Gene], source: str) -> None:
        self.genes = genes
        self.source = source
        self._by_chrom: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for index, gene in enumerate(genes):
            self._by_chrom[gene.chrom].append((gene.tx_start, gene.tx_end, index))
        self._starts = {}
        self._max_len = {}
        for chrom, rows in self._by_chrom.items():
            rows.sort()
            self._starts[chrom] = [r[0] for r in rows]
            self._max_len[chrom] = max(r[1] - r[0] for r in rows)

    def genes_at(self, chrom: str, pos: int) -> list[Gene]:
        """Genes whose transcript span contains ``pos`` (1-based), in annotation file order."""
        key = bare_name(chrom)
        rows = self._by_chrom.get(key)
        if not rows:
            return []
        starts = self._starts[key]
        hi = bisect.bisect_right(starts, pos)
        lo = bisect.bisect_left(starts, pos - self._max_len[key])
        hits = sorted(index for start, end, index in rows[lo:hi] if start <= pos <= end)
        return [self.genes[i] for i in hits]

    @classmethod
    def read(cls, path: Path | str) -> "SpliceAnnotation":
        path = Path(path)
        if not path.is_file():
            raise InputError("annotation file not found", path=path,
                             hint="pass --annotation or use a bundle that ships annotations/")
        genes: list[Gene] = []
        with open(path, encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n").split("\t")
            if header[:7] != HEADER:
                raise InputError(f"not a SpliceAI-style annotation: header {header[:7]}",
                                 path=path, line=1, hint="expected columns " + " ".join(HEADER))
            for number, line in enumerate(handle, start=2):
                if not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                try:
                    name, chrom, strand, tx_start, tx_end, ex_starts, ex_ends = fields[:7]
                    starts = [int(v) + 1 for v in ex_starts.split(",") if v]
                    ends = [int(v) for v in ex_ends.split(",") if v]
                    if strand not in "+-" or len(strand) != 1 or len(starts) != len(ends):
                        raise ValueError("strand must be + or -, exon lists equally long")
                    gene = Gene(name, bare_name(chrom), strand, int(tx_start) + 1, int(tx_end),
                                tuple(sorted(set(starts) | set(ends))))
                except ValueError as err:
                    raise InputError(f"bad annotation row: {err}", path=path, line=number) from err
                genes.append(gene)
        if not genes:
            raise InputError("annotation has no genes", path=path)
        return cls(genes, str(path))

    @classmethod
    def from_gencode(cls, path: Path | str, fasta_lengths: dict[str, int],
                     rename: dict[str, str], tags: tuple[str, ...] | None) -> "SpliceAnnotation":
        """Genes of a GENCODE-style GFF3/GTF the way Pangolin's gffutils database holds them.

        Upstream's ``create_db.py`` keeps every gene feature but only the transcripts (and
        their exons) carrying one of ``tags`` (default Ensembl_canonical; None keeps all), and
        its CLI masks with the exons of the kept transcripts. So: span = the gene's (the union
        of all its transcripts, which is the GENCODE gene feature), boundaries = starts and
        ends of the kept transcripts' exons, name = gene_id.
        """
        from varrank.annotate.consequence.gene_model import read_models

        path = Path(path)
        models, _counts, _fmt = read_models(path, fasta_lengths, rename)
        spans: dict[str, list] = {}
        for model in models:
            if not model["exon_starts"] or not model["gene_id"]:
                continue
            gene = spans.setdefault(model["gene_id"], [model["chrom"], model["strand"],
                                                       model["exon_starts"][0],
                                                       model["exon_ends"][-1], set()])
            gene[2] = min(gene[2], model["exon_starts"][0])
            gene[3] = max(gene[3], model["exon_ends"][-1])
            tagged = set((model["tags"] or "").split(","))
            if tags is None or tagged & set(tags):
                gene[4].update(model["exon_starts"], model["exon_ends"])
        genes = [Gene(gid, bare_name(chrom), strand, start, end, tuple(sorted(sites)))
                 for gid, (chrom, strand, start, end, sites) in spans.items()
                 if strand in ("+", "-")]
        if not genes:
            raise InputError("annotation has no genes with exons", path=path)
        return cls(genes, str(path))
