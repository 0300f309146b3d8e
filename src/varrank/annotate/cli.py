"""`varrank annotate`: database lookup, consequence and HGVS for one patient's variant table."""

from __future__ import annotations

import argparse
import logging

from varrank.annotate.stage import AnnotateOptions, run_annotate, summary
from varrank.core.contract import AnnotateArgs, add_stage_parser
from varrank.core.vocab import Stage

log = logging.getLogger(__name__)

EPILOG = """\
outputs (ID = patient ID from the table metadata):
  DIR/ID.annotate.parquet       input columns + ANNOTATE columns (src/varrank/core/schema.py)
  DIR/ID.annotate.ledger.json   rows in/out, rows flagged (no consequence, ...), match counts
  DIR/ID.transcripts.parquet    every transcript effect; 'preferred' marks the one on the row

Consequences come from, in order: --snpeff-db, --vep-cache, INFO/CSQ or INFO/ANN already in
the input; with none of these the consequence columns are null. See docs/annotate.md.
"""


DESCRIPTION = ("Look every normalised variant up in an annotation bundle (exact allele) and "
               "give it gene, transcript, consequence and HGVS from snpEff or VEP.")


def register(sub: argparse._SubParsersAction) -> None:
    add_stage_parser(sub, Stage.ANNOTATE, DESCRIPTION, _run, epilog=EPILOG)


def _run(opts: AnnotateArgs) -> int:
    paths = run_annotate(opts.input, opts.bundle, opts.out, AnnotateOptions(
        snpeff_db=opts.snpeff_db, vep_cache=opts.vep_cache, fasta=opts.fasta,
        csq_format=opts.csq_format, threads=opts.threads, memory_limit=opts.memory))
    log.info(summary(paths))
    return 0
