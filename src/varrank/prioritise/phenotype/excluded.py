"""Excluded HPO terms (features looked for and found absent) as negative phenotype evidence.

Method, after LIRICAL (Robinson et al. 2020, "Interpretable clinical genomics with a
likelihood ratio paradigm", AJHG 107:403-417; ``getLikelihoodRatioForExcludedTerm`` in its
``PhenotypeLikelihoodRatio``): an excluded term t counts against a disease D when D is
annotated to t or to a descendant of t (the true-path rule: a disease with *focal seizures*
has *seizures*). With f the frequency of that annotation in D (the highest, when several D
terms fall under t), LIRICAL's likelihood ratio for the excluded term is
max(0.01, 1 - f) / (1 - b(t)), and 1 / (1 - b(t)) when D has no such annotation, b(t) being
the term's background frequency over all diseases. The 0.01 is LIRICAL's probability that a
feature present was missed.

varrank's phenotype match is a similarity in [0, 1], not a likelihood, so it takes the part
of that ratio that differs between diseases, max(floor, 1 - f) per excluded term D is
annotated to (1 otherwise; the common 1 / (1 - b(t)) cancels between diseases), and puts it
on the scale of the match. LIRICAL multiplies the excluded terms' ratios into a product with
the observed terms' ratios, each of which is large for a matching disease; varrank's match
is a best-match *average* over the observed terms, so the product of the excluded factors
is averaged the same way: the match is multiplied by (product of factors) ** (1 / n), n the
number of observed plus excluded terms. One obligate feature excluded (factor 0.01) in a
six-term profile then costs about half the match, not 99% of it; a case report that lists
many absent features, several of them occasional in the true disease, no longer pushes the
right disease below genes that match nothing. (A first version used the plain product: on
the genome-wide cases benchmark it halved top-1, see benchmarks/RESULTS.md.) Annotations
without a frequency use ``unknown_frequency``; both numbers are ranking weights
(``RankWeights``) a preset can change.

A gene's gene-level match (all its annotations pooled) takes the factor of the gene's disease
that matched the patient best before exclusion: the pooled match mostly stands for that
disease, and the gene's other diseases still compete with their own (lowered) matches. Exomiser reads excluded terms from a phenopacket but, in the versions we could
inspect, does not score them; LIRICAL is the model here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from varrank.prioritise.phenotype.hpo_index import Disease, HpoIndex


@dataclass(frozen=True)
class ExcludedHit:
    excluded: int          # HP number the patient does not have
    disease_term: int      # HP number of the disease annotation under it
    frequency: float | None
    factor: float


class ExcludedTerms:
    """The patient's excluded terms, with each disease's penalty computed once."""

    def __init__(self, numbers: list[int], index: HpoIndex, floor: float = 0.01,
                 unknown_frequency: float = 0.5, n_observed: int = 0):
        self.index = index
        self.exponent = 1.0 / (n_observed + len(numbers)) if numbers else 1.0
        self.numbers = list(numbers)
        self.positions = {index.position[n] for n in numbers}
        self.floor, self.unknown_frequency = floor, unknown_frequency
        self._cache: dict[str, tuple[float, tuple[ExcludedHit, ...]]] = {}

    def __bool__(self) -> bool:
        return bool(self.numbers)

    def disease_factor(self, disease: Disease) -> tuple[float, tuple[ExcludedHit, ...]]:
        """(factor on the disease's match, the excluded terms that hit it)."""
        if disease.id not in self._cache:
            self._cache[disease.id] = self._compute(disease)
        return self._cache[disease.id]

    def _compute(self, disease: Disease) -> tuple[float, tuple[ExcludedHit, ...]]:
        # excluded position -> (frequency used, disease term position, frequency annotated)
        best: dict[int, tuple[float, int, float | None]] = {}
        freqs = disease.frequencies
        for k, term in enumerate(disease.terms):
            under = self.positions.intersection(self.index.ancestors(int(term)).tolist())
            if not under:
                continue
            f = float(freqs[k]) if freqs is not None and not np.isnan(freqs[k]) else None
            value = self.unknown_frequency if f is None else f
            for pos in under:
                if pos not in best or value > best[pos][0]:
                    best[pos] = (value, int(term), f)
        factor, hits = 1.0, []
        for pos, (value, term, f) in sorted(best.items()):
            one = max(self.floor, 1.0 - value)
            factor *= one
            hits.append(ExcludedHit(int(self.index.term_ids[pos]), int(self.index.term_ids[term]),
                                    None if f is None else round(f, 3), round(one, 4)))
        return factor ** self.exponent, tuple(hits)


def consistent_exclusions(observed: list[int], excluded: list[int],
                          index: HpoIndex) -> tuple[list[int], list[str]]:
    """Excluded terms minus those the observed terms contradict (a term observed, or a
    descendant of it observed: *focal seizure* present means *seizure* is not absent)."""
    implied = {int(index.term_ids[a]) for n in observed for a in index.ancestors(index.position[n])}
    kept, warnings = [], []
    for number in excluded:
        if number in implied:
            warnings.append(f"HP:{number:07d} ({index.name_of(number)}) is excluded but implied "
                            "by an observed term; ignored as an excluded term")
        elif number not in kept:
            kept.append(number)
    return kept, warnings
