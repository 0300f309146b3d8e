"""`varrank prioritise`: ACMG/AMP evidence, HPO match, inheritance fit and rank."""

from __future__ import annotations

import argparse
import logging

from varrank.core.contract import PrioritiseArgs, add_stage_parser
from varrank.core.errors import InputError
from varrank.core.vocab import EvidenceKind, Stage
from varrank.prioritise.phenotype.terms import split_hpo_argument
from varrank.prioritise.stage import PrioritiseOptions, run_prioritise

LOG = logging.getLogger(__name__)

DESCRIPTION = """\
Rank one patient's variants. Reads the variant table of INGEST/ANNOTATE/SCORE (either of the
last two may be skipped: their evidence is then reported as "not evaluated"), computes the
ACMG/AMP criteria the data allow (PVS1, PS1, PM2, PM4, PM5, PP3, BA1, BS1, BP3, BP4, BP7)
and classifies each variant by the 2015 combining rules and by Bayesian points, matches the
patient's HPO terms to each gene's diseases (Resnik, best-match average), checks the family's
genotypes against modes of inheritance (PED), and writes one score and rank per variant and
per gene with the evidence behind it (column evidence_json).
"""


def register(sub: argparse._SubParsersAction) -> None:
    add_stage_parser(sub, Stage.PRIORITISE, DESCRIPTION, _run)


def _run(args: PrioritiseArgs) -> int:
    skip = frozenset(k for k in split_hpo_argument(args.skip_evidence))
    unknown = sorted(skip - set(EvidenceKind))
    if unknown:
        raise InputError(f"unknown evidence kind(s) for --skip-evidence: {', '.join(unknown)}",
                         hint=f"choose from {', '.join(EvidenceKind)}")
    options = PrioritiseOptions(hpo=split_hpo_argument(args.hpo), ped=args.ped,
                                hpo_dir=args.hpo_dir, clinvar_protein=args.clinvar_protein,
                                lof_genes=args.lof_genes, preset=args.preset, skip=skip)
    paths = run_prioritise(args.input, args.out, options)
    for name, path in paths.items():
        LOG.info("wrote %s: %s", name, path)
    return 0
