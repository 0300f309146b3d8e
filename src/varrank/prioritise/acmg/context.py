"""What the rules need besides the row: thresholds, gene facts and table-level facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from varrank.prioritise.acmg.protein_index import ProteinIndex
from varrank.prioritise.acmg.thresholds import DEFAULT, Thresholds


@dataclass
class RuleContext:
    """Shared inputs of the evidence rules for one table.

    ``gene_modes`` maps a gene symbol to the modes of inheritance of its diseases
    ("dominant", "recessive", "x_linked", ...) from the HPO annotations; it chooses the PM2
    and BS1 cut-offs. ``frequency_data`` is False when no row of the table carries a
    population frequency, so that a skipped gnomAD lookup is not read as "absent from gnomAD".
    """

    thresholds: Thresholds = DEFAULT
    gene_modes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    lof_genes: frozenset[str] | None = None
    protein_index: ProteinIndex | None = None
    frequency_data: bool = True
    # which mtDNA sources the bundle had (ANNOTATE's source kinds): absent means not looked up
    mt_frequency_data: bool = False
    mt_predictor_data: bool = False
    mitomap_data: bool = False

    def modes_for(self, gene: str | None) -> frozenset[str]:
        if not gene:
            return frozenset()
        return self.gene_modes.get(gene, frozenset())
