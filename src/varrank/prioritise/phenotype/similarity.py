"""Resnik semantic similarity, best-match average, gene- and disease-level.

Resnik (1995): sim(a, b) = IC of the most informative common ancestor. Best-match average
(BMA, as in Phenomizer, Koehler 2009, and pyhpo's ``HPOSet.similarity`` with method
``resnik`` and combine ``funSimAvg``): the mean of the patient->annotation best matches and
the annotation->patient best matches. The score is divided by the patient's self-similarity
(the mean IC of their terms) so it lies in [0, 1] and reads the same for a 3-term and a
20-term patient.

Per patient term p we compute sim(p, t) for *every* ontology term t at once: the max IC over
anc(p) & anc(t) is a masked max over t's ancestor list (a CSR ``reduceat``), so scoring
thousands of genes costs one small matrix gather each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from varrank.prioritise.phenotype.excluded import ExcludedHit, ExcludedTerms
from varrank.prioritise.phenotype.hpo_index import HpoIndex


@dataclass(frozen=True)
class Match:
    score: float              # normalised BMA in [0, 1]
    raw: float                # BMA in nats
    best_pairs: tuple[tuple[int, int, float], ...]  # (patient HP, matched HP, IC) per term


class PatientProfile:
    """The patient's terms with their similarity to every ontology term precomputed."""

    def __init__(self, numbers: list[int], index: HpoIndex):
        self.index = index
        self.numbers = list(numbers)
        positions = [index.position[n] for n in numbers]
        self.matrix = np.vstack([self._row(p) for p in positions]) if positions else \
            np.zeros((0, len(index.term_ids)))
        # self-similarity: a term's IC, or its most informative ancestor when unannotated
        self.self_ic = np.array([self.matrix[i, p] for i, p in enumerate(positions)])
        self.norm = float(self.self_ic.mean()) if positions else 0.0

    def _row(self, pos: int) -> np.ndarray:
        ix = self.index
        masked = np.zeros(len(ix.term_ids))
        anc = ix.ancestors(pos)
        masked[anc] = ix.ic[anc]
        values = masked[ix.anc_indices]
        starts = ix.anc_indptr[:-1]
        out = np.maximum.reduceat(values, starts)
        out[ix.anc_indptr[1:] == starts] = 0.0   # terms without ancestors (none in HPO)
        return out

    def match(self, term_positions: np.ndarray) -> Match:
        if not self.numbers or self.norm <= 0 or len(term_positions) == 0:
            return Match(0.0, 0.0, ())
        sub = self.matrix[:, term_positions]
        best_per_patient = sub.max(axis=1)
        raw = 0.5 * (best_per_patient.mean() + sub.max(axis=0).mean())
        arg = sub.argmax(axis=1)
        pairs = tuple((self.numbers[i], int(self.index.term_ids[term_positions[arg[i]]]),
                       round(float(best_per_patient[i]), 3)) for i in range(len(self.numbers)))
        return Match(min(1.0, raw / self.norm), float(raw), pairs)


@dataclass(frozen=True)
class GeneMatch:
    gene: str
    score: float
    gene_level: float
    disease_id: str | None
    disease_name: str | None
    disease_score: float
    modes: tuple[str, ...]
    best_pairs: tuple[tuple[int, int, float], ...]
    excluded_hits: tuple[ExcludedHit, ...] = ()   # excluded terms that lowered the match
    excluded_factor: float = 1.0


def match_gene(profile: PatientProfile, gene: str,
               excluded: ExcludedTerms | None = None) -> GeneMatch | None:
    """Best of the gene-level and disease-level matches; None for a gene without annotation.

    With ``excluded`` terms each disease's match is lowered by its exclusion factor before
    the best disease is chosen; the gene-level match (all annotations pooled) takes the
    factor of the disease that matched the patient best before exclusion, the disease it
    mostly stands for (``excluded.py``).
    """
    ix = profile.index
    terms = ix.gene_terms.get(gene)
    disease_ids = ix.gene_diseases.get(gene, [])
    if terms is None and not disease_ids:
        return None
    gene_level = profile.match(terms) if terms is not None else Match(0.0, 0.0, ())
    best, best_id, best_hits, best_factor = Match(0.0, 0.0, ()), None, (), 1.0
    raw_best, raw_factor, raw_hits = -1.0, 1.0, ()
    for did in disease_ids:
        m = profile.match(ix.diseases[did].terms)
        factor, hits = excluded.disease_factor(ix.diseases[did]) if excluded else (1.0, ())
        if m.score > raw_best:
            raw_best, raw_factor, raw_hits = m.score, factor, hits
        m = replace(m, score=m.score * factor)
        if m.score > best.score or best_id is None:
            best, best_id, best_hits, best_factor = m, did, hits, factor
    gene_level = replace(gene_level, score=gene_level.score * raw_factor)
    modes = tuple(sorted({m for d in disease_ids for m in ix.diseases[d].modes}))
    if best_id is not None and ix.diseases[best_id].modes:
        modes = ix.diseases[best_id].modes
    top = best if best.score >= gene_level.score else gene_level
    hits, factor = (best_hits, best_factor) if top is best else (raw_hits, raw_factor)
    return GeneMatch(gene, max(best.score, gene_level.score), gene_level.score, best_id,
                     ix.diseases[best_id].name if best_id else None, best.score, modes,
                     top.best_pairs, hits, round(factor, 4))
