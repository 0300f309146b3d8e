"""`varrank ingest`: one patient's VCF/BCF -> normalised Parquet table, VCF, QC and ledger."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Read a patient's VCF, VCF.gz (bgzip or plain gzip), BCF or 23andMe raw genotype file; pick
the proband; drop gVCF reference blocks; split multi-allelic records and left-align indels
against the FASTA with bcftools norm; harmonise contig names (1 vs chr1) to the FASTA; refuse
a VCF whose contig lengths show another genome build. Writes OUT/ID.ingest.parquet,
OUT/ID.norm.vcf.gz(+.tbi), OUT/ID.qc.json, OUT/ID.ingest.ledger.json (every record in, out or
dropped with a reason) and OUT/ID.ingest.dropped.tsv.gz (each dropped record and its line).
See docs/ingest.md."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ingest", help="INGEST: VCF -> normalised variant table + QC + ledger",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--vcf", required=True, help="patient VCF / VCF.gz / BCF / 23andMe raw .txt")
    parser.add_argument("--index", help="index of the VCF (.tbi/.csi); optional, the file is streamed")
    parser.add_argument(
        "--fasta",
        help="reference FASTA with .fai (plain or bgzip). Without it records are split but not "
             "left-aligned or REF-checked, and the QC/ledger say so",
    )
    parser.add_argument("--patient", required=True, help="patient ID used in output names ([A-Za-z0-9._-])")
    parser.add_argument("--proband", help="sample of the proband (default: the only sample, or the "
                                          "single affected sample of --ped)")
    parser.add_argument("--sex", choices=["male", "female", "unknown"], default="unknown",
                        help="declared sex, compared with the sex inferred from chrX heterozygosity")
    parser.add_argument("--ped", help="PED file of the family (proband choice, declared sex)")
    parser.add_argument("--genome", help="expected build (GRCh37/GRCh38); checked against contig lengths")
    parser.add_argument("--out", required=True, help="output folder")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from varrank.ingest.pipeline import run_ingest

    outputs = run_ingest(
        vcf=args.vcf, patient=args.patient, out=args.out, fasta=args.fasta, proband=args.proband,
        sex=args.sex, ped=args.ped, index=args.index, genome=args.genome,
    )
    print(outputs.table)
    return 0
