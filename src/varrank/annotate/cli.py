"""`varrank annotate`: database lookup, consequence and HGVS for one patient's variant table."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from varrank.annotate.stage import AnnotateOptions, run_annotate, summary

log = logging.getLogger(__name__)

EPILOG = """\
outputs (ID = patient ID from the table metadata):
  DIR/ID.annotate.parquet       input columns + ANNOTATE columns (src/varrank/core/schema.py)
  DIR/ID.annotate.ledger.json   rows in/out, rows flagged (no consequence, ...), match counts
  DIR/ID.transcripts.parquet    every transcript effect; 'preferred' marks the one on the row

Consequences come from, in order: --snpeff-db, --vep-cache, INFO/CSQ or INFO/ANN already in
the input; with none of these the consequence columns are null. See docs/annotate.md.
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "annotate", help="ANNOTATE stage: ClinVar/gnomAD/in-house lookup, consequence, HGVS",
        description="Look every normalised variant up in an annotation bundle (exact allele) and "
                    "give it gene, transcript, consequence and HGVS from snpEff or VEP.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in", dest="input", required=True, type=Path, metavar="T.parquet",
                        help="variant table from `varrank ingest`")
    parser.add_argument("--bundle", required=True, type=Path, metavar="DIR",
                        help="annotation bundle from `varrank resources build` (same genome build)")
    tool = parser.add_mutually_exclusive_group()
    tool.add_argument("--snpeff-db", type=Path, metavar="DIR",
                      help="snpEff database from `varrank resources snpeff-db` (embedded default)")
    tool.add_argument("--vep-cache", type=Path, metavar="DIR",
                      help="Ensembl VEP offline cache (needs `vep` on PATH, e.g. its container)")
    parser.add_argument("--fasta", type=Path, metavar="F",
                        help="reference FASTA (needed by VEP for HGVS; optional otherwise)")
    parser.add_argument("--csq-format", metavar="FIELDS",
                        help="CSQ field list ('Allele|Consequence|...') when the table carries "
                             "upstream INFO/CSQ and its metadata lacks the header's Format list")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--memory", default="4GB", help="DuckDB memory limit (default 4GB)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    paths = run_annotate(args.input, args.bundle, args.out, AnnotateOptions(
        snpeff_db=args.snpeff_db, vep_cache=args.vep_cache, fasta=args.fasta,
        csq_format=args.csq_format, threads=args.threads, memory_limit=args.memory))
    log.info(summary(paths))
    return 0
