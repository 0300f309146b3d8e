"""`varrank ingest`: one patient's VCF/BCF -> normalised Parquet table, VCF, QC and ledger."""

from __future__ import annotations

import argparse

from varrank.core.contract import IngestArgs, add_stage_parser
from varrank.core.vocab import Stage

DESCRIPTION = """\
Read a patient's VCF, VCF.gz (bgzip or plain gzip), BCF or 23andMe raw genotype file; pick
the proband; drop gVCF reference blocks; split multi-allelic records and left-align indels
against the FASTA with bcftools norm; harmonise contig names (1 vs chr1) to the FASTA; refuse
a VCF whose contig lengths show another genome build. Writes OUT/ID.ingest.parquet,
OUT/ID.norm.vcf.gz(+.tbi), OUT/ID.qc.json, OUT/ID.ingest.ledger.json (every record in, out or
dropped with a reason) and OUT/ID.ingest.dropped.tsv.gz (each dropped record and its line).
See docs/ingest.md."""


def register(sub: argparse._SubParsersAction) -> None:
    add_stage_parser(sub, Stage.INGEST, DESCRIPTION, _run)


def _run(opts: IngestArgs) -> int:
    from varrank.ingest.pipeline import run_ingest

    outputs = run_ingest(
        vcf=opts.vcf, patient=opts.patient, out=opts.out, fasta=opts.fasta, proband=opts.proband,
        sex=opts.sex, ped=opts.ped, index=opts.index, genome=opts.genome,
        family_id=opts.family_id,
    )
    print(outputs.table)
    return 0
