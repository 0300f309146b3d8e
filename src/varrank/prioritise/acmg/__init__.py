"""ACMG/AMP evidence computed from the variant table, one module per evidence family.

``evaluate(row, ctx)`` returns every criterion's item (met, not met or not evaluated) plus the
ClinVar assertion item; ``combine`` turns them into the 2015 class and the points class.
"""

from __future__ import annotations

from typing import Callable, Mapping

from varrank.core.genome import is_mitochondrial
from varrank.prioritise.acmg import (clinvar, computational, frequency, length_change, mito,
                                     protein_change, pvs1, synonymous)
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import NOT_EVALUATED, Evidence, Row

RULES: tuple[tuple[str, Callable[[Row, RuleContext], Evidence]], ...] = (
    ("PVS1", pvs1.pvs1),
    ("PS1", protein_change.ps1),
    ("PM2", frequency.pm2),
    ("PM4", length_change.pm4),
    ("PM5", protein_change.pm5),
    ("PP3", computational.pp3),
    ("BA1", frequency.ba1),
    ("BS1", frequency.bs1),
    ("BP3", length_change.bp3),
    ("BP4", computational.bp4),
    ("BP7", synonymous.bp7),
    ("ClinVar", clinvar.clinvar_assertion),
)
# assertions of a database: shown and ranked, never part of the ACMG class
ASSERTION_CODES = ("ClinVar", mito.MITOMAP_CODE)


def evaluate(row: Mapping | Row, ctx: RuleContext,
             skip: frozenset[str] = frozenset()) -> list[Evidence]:
    """All rules for one row; codes in ``skip`` are reported as not evaluated (ablation)."""
    if not isinstance(row, Row):
        row = Row(row)
    # mtDNA: McCormick 2020's specification replaces the nuclear rule of the same code
    on_mt = is_mitochondrial(str(row.get("chrom") or ""))
    rules = [(c, mito.RULES.get(c, r) if on_mt else r) for c, r in RULES]
    if on_mt:
        rules.append((mito.MITOMAP_CODE, mito.mitomap_assertion))
    out = []
    for code, rule in rules:
        if code in skip:
            out.append(Evidence(code, NOT_EVALUATED, "switched off for this analysis"))
        else:
            out.append(rule(row, ctx))
    return out


__all__ = ["RuleContext", "Evidence", "Row", "evaluate", "RULES", "ASSERTION_CODES"]
