"""The PRIORITISE stage: ACMG/AMP evidence, HPO phenotype match, inheritance fit, one rank."""

from varrank.prioritise.stage import PrioritiseOptions, prioritise_table, run_prioritise

__all__ = ["PrioritiseOptions", "prioritise_table", "run_prioritise"]
