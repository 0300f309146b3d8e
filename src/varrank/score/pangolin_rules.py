"""Pangolin's variant score, exactly as the upstream CLI computes it from per-model tracks.

What ``pangolin`` 1.0.2 (tkzeng/Pangolin, pangolin/pangolin.py, Zeng & Li 2022) does per
variant, re-implemented here (no upstream code is used):

* window: 5,000 + D bases each side of the REF allele, no masking of bases outside genes;
  one-hot, reverse complement for genes on the minus strand (one pass per strand, shared by
  all genes of that strand);
* 12 models: replicates 1-3 of the v2 files for heart, liver, brain and testis; each gives
  P(splice) of its own tissue for ref and alt over the len(REF) + 2D (resp. len(ALT) + 2D)
  positions around the variant, flipped back to genome order;
* per model, alt is aligned to ref: for a deletion zeros are inserted after the first D + 1
  positions; for an insertion the positions of the inserted bases collapse to their maximum;
  then alt - ref; the mean of each tissue's 3 models; per position the largest (gain) and the
  smallest (loss) of the 4 tissue means;
* per gene, with masking (-m True, the default): gains at the gene's annotated exon
  boundaries become min(gain, 0) and losses elsewhere max(loss, 0) (no boundaries: every
  loss max(loss, 0), warning NoAnnotatedSitesToMaskForThisGene); reported:
  ``gene|pos:gain|pos:loss|Warnings:`` with the first arg-max / arg-min, positions relative
  to the variant and values rounded to 2 decimals.

Dtypes follow the original (float32 tracks; a deletion's zero padding is float64, which
makes its differences float64), so rounding sees the same numbers up to the ~1e-7 of a
different convolution kernel. One upstream detail is deliberately not reproduced: it masks
the per-strand arrays in place, so a second overlapping gene on the same strand is scored on
the first gene's masked values (order-dependent); here each gene is masked from the unmasked
arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from varrank.score.annotation import Gene

N_TISSUES = 4


@dataclass(frozen=True)
class PangolinGeneScore:
    gene: str
    gain: float
    gain_pos: int
    loss: float
    loss_pos: int
    warnings: str = ""

    @property
    def max_delta(self) -> float:
        return max(self.gain, -self.loss)

    def info(self) -> str:
        """The original's INFO/Pangolin entry for this gene."""
        return (f"{self.gene}|{self.gain_pos}:{self.gain}|{self.loss_pos}:{self.loss}|"
                f"Warnings:{self.warnings}")


def parse_info(info: str) -> dict[str, PangolinGeneScore]:
    """gene -> score from an INFO/Pangolin value (the original's or ``pangolin_info``)."""
    out = {}
    for entry in info.split(","):
        gene, gain, loss, *rest = entry.split("|")
        (gain_pos, gain_value), (loss_pos, loss_value) = gain.split(":"), loss.split(":")
        out[gene] = PangolinGeneScore(gene, float(gain_value), int(gain_pos), float(loss_value),
                                      int(loss_pos), rest[0][len("Warnings:"):] if rest else "")
    return out


def same_scores(theirs: PangolinGeneScore, mine: PangolinGeneScore,
                tolerance: float = 0.01) -> bool:
    """Equal positions, gain and loss within ``tolerance`` (2-decimal rounding of values a
    different convolution kernel computed ~1e-7 apart can differ by one step)."""
    return (theirs.gain_pos, theirs.loss_pos) == (mine.gain_pos, mine.loss_pos) and \
        abs(theirs.gain - mine.gain) <= tolerance + 1e-9 and \
        abs(theirs.loss - mine.loss) <= tolerance + 1e-9


def align_alt(alt: np.ndarray, ref_len: int, alt_len: int, distance: int) -> np.ndarray:
    """Per-model alt track (positions, models) onto the reference positions (indel rule)."""
    if ref_len > alt_len:
        pad = np.zeros((ref_len - alt_len, alt.shape[1]))  # float64, as the original's
        return np.concatenate([alt[:distance + 1], pad, alt[distance + 1:]])
    if ref_len < alt_len:
        inserted = alt_len - ref_len
        return np.concatenate([alt[:distance],
                               alt[distance:distance + inserted + 1].max(axis=0, keepdims=True),
                               alt[distance + inserted + 1:]])
    return alt


def tissue_extremes(ref: np.ndarray, alt: np.ndarray, ref_len: int, alt_len: int,
                    distance: int) -> tuple[np.ndarray, np.ndarray]:
    """(gain, loss) per reference position from per-model tracks (positions, 12 models)."""
    delta = align_alt(alt, ref_len, alt_len, distance) - ref
    per_model = delta.shape[1] // N_TISSUES
    means = np.stack([delta[:, k * per_model:(k + 1) * per_model].T.mean(axis=0)
                      for k in range(N_TISSUES)])
    return means.max(axis=0), means.min(axis=0)


def _rounded(value) -> float:
    """round(x, 2) in x's dtype as the original prints it, as the nearest 2-decimal float
    (0.86, not float32's 0.8600000143...); +0.0 turns -0.0 into 0.0."""
    return round(float(np.round(value, 2)), 2) + 0.0


def gene_score(gene: Gene, pos: int, gain: np.ndarray, loss: np.ndarray, distance: int,
               mask: bool) -> PangolinGeneScore:
    """The largest increase and decrease for one gene (positions relative to ``pos``)."""
    return score_of_masked(gene.name, *masked_extremes(gene, pos, gain, loss, distance, mask),
                           distance)


def score_of_masked(gene: str, gain: np.ndarray, loss: np.ndarray, warnings: str,
                    distance: int) -> PangolinGeneScore:
    """The score from already masked tracks (``masked_extremes``): their extremes, rounded."""
    g, lo = int(np.argmax(gain)), int(np.argmin(loss))
    return PangolinGeneScore(gene, _rounded(gain[g]), g - distance, _rounded(loss[lo]),
                             lo - distance, warnings)


def masked_extremes(gene: Gene, pos: int, gain: np.ndarray, loss: np.ndarray, distance: int,
                    mask: bool) -> tuple[np.ndarray, np.ndarray, str]:
    """(gain, loss, warnings) per position for one gene, after the original's -m masking:
    what the score is the extreme of, and what the report plots."""
    gain, loss = gain.copy(), loss.copy()
    warnings = ""
    if mask:
        sites = np.asarray(gene.boundaries, dtype=np.int64) - (pos - distance)
        annotated = np.zeros(len(loss), dtype=bool)
        annotated[sites[(sites >= 0) & (sites < len(loss))]] = True
        if not len(sites):
            warnings = "NoAnnotatedSitesToMaskForThisGene"
        gain[annotated] = np.minimum(gain[annotated], 0)
        loss[~annotated] = np.maximum(loss[~annotated], 0)
    return gain, loss, warnings
