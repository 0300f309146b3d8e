"""Reference sequence access and one-hot encoding shared by the sequence models.

pysam's FastaFile reads bgzipped or plain indexed FASTA without loading it, so a full genome
costs nothing until a window is asked for. Contig names are mapped with core.genome so that a
``17`` in the variant table and ``chr17`` in the FASTA meet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysam

from varrank.core.errors import ResourceError
from varrank.core.genome import contig_mapper

# ACGT order, N (and any other byte) -> all zeros: the encoding SpliceAI was trained with.
_LOOKUP = np.full(256, 4, dtype=np.int64)
for _i, _base in enumerate("ACGT"):
    _LOOKUP[ord(_base)] = _i
    _LOOKUP[ord(_base.lower())] = _i
_TABLE = np.vstack([np.eye(4, dtype=np.float32), np.zeros((1, 4), dtype=np.float32)])


def one_hot(seq: str) -> np.ndarray:
    """(len, 4) float32 one-hot in ACGT order; N and other codes are all-zero rows."""
    codes = _LOOKUP[np.frombuffer(seq.encode("ascii", "replace"), dtype=np.uint8)]
    return _TABLE[codes]


def reverse_complement_onehot(x: np.ndarray) -> np.ndarray:
    """Reverse complement of a (..., len, 4) ACGT one-hot array (flip both axes)."""
    return x[..., ::-1, ::-1]


class ReferenceGenome:
    """Indexed FASTA with naming-style tolerant contig lookup."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ResourceError("reference FASTA not found", path=self.path,
                                hint="pass the FASTA the VCF was called against (--fasta)")
        try:
            self._fasta = pysam.FastaFile(str(self.path))
        except (OSError, ValueError) as err:
            raise ResourceError(f"cannot open FASTA: {err}", path=self.path,
                                hint="index it with `samtools faidx` (bgzip, not gzip)") from err
        self.lengths = dict(zip(self._fasta.references, self._fasta.lengths))
        self._mapper = contig_mapper(self._fasta.references)

    def contig(self, chrom: str) -> str | None:
        return self._mapper.get(chrom)

    @property
    def contig_names(self) -> dict[str, str]:
        """Any naming style of a contig -> the FASTA's spelling (core.genome.contig_mapper)."""
        return dict(self._mapper)

    def fetch(self, contig: str, start: int, end: int) -> str:
        """Upper-case bases of 1-based inclusive [start, end] (caller keeps it in range)."""
        return self._fasta.fetch(contig, start - 1, end).upper()

    def close(self) -> None:
        self._fasta.close()
