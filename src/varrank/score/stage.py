"""The SCORE stage as a pure function: variant table in, scored table + ledger + tracks out.

Rows are never dropped: every row gets ``score_status`` (scored, not_candidate or
skipped:<reason>) and the ledger counts the non-scored ones by reason.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from varrank.core import schema
from varrank.core.errors import ResourceError
from varrank.core.ledger import Ledger, throughput_note
from varrank.core.stage_io import attach_columns, read_stage_table, write_stage_outputs
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import ScoreStatus, Stage
from varrank.score import (candidates, pangolin_stage, precomputed, providers, registry, spliceai,
                           spliceai_cone, xpresso)
from varrank.score.annotation import SpliceAnnotation
from varrank.score.bundle import ModelBundle, find_bundles, load_bundle
from varrank.score.sequence import ReferenceGenome
from varrank.score.validate import Limits, check_allele, check_basic

log = logging.getLogger(__name__)

MODEL_SCORES = "model_scores"
TRACK_SCHEMA = pa.schema([
    ("variant_key", pa.string()), ("model", pa.string()), ("gene", pa.string()),
    ("strand", pa.string()),
    ("offset", pa.int32()), ("ref_acceptor", pa.float32()), ("alt_acceptor", pa.float32()),
    ("ref_donor", pa.float32()), ("alt_donor", pa.float32()),
    # Pangolin's rows: the reported gene's masked largest increase / decrease of splice-site
    # usage per position (max / min over tissues of the 3-model mean); null on SpliceAI's
    ("gain", pa.float32()), ("loss", pa.float32()),
])


@dataclass
class ScoreOptions:
    distance: int = 50
    mask: bool = False
    max_af: float | None = candidates.DEFAULT_MAX_AF
    all_variants: bool = False
    max_n_fraction: float = 0.1
    provider: str = "auto"
    batch_size: int | None = None
    threads: int | None = None
    engine_cache: Path | None = None
    fp16: bool = True
    verify_checksums: bool = True
    cone: bool = True  # CPU: recompute only what each allele changes (bundle's staged graphs)
    pangolin_mask: bool = True  # the original Pangolin CLI's -m (default True)
    pangolin_annotation: Path | None = None  # GENCODE GFF3/GTF; default: the SpliceAI table
    pangolin_tags: tuple[str, ...] | None = ("Ensembl_canonical",)  # its create_db.py filter
    rescore: bool = False  # score live even where the bundle's precomputed SpliceAI has the allele
    extra: dict[str, Any] = field(default_factory=dict)


def _annotation_for(bundle: ModelBundle, build: str | None, given: Path | None) -> SpliceAnnotation:
    if given is not None:
        return SpliceAnnotation.read(given)
    if build and f"annotation_{build}" in bundle.extra:
        return SpliceAnnotation.read(bundle.extra[f"annotation_{build}"])
    raise ResourceError(
        f"no gene annotation for genome build {build or 'unknown'}",
        hint="pass --annotation (SpliceAI format, see docs/models.md) or record the build in "
             "the table (varrank ingest does)", path=bundle.root)


def _key(row: dict[str, Any]) -> str:
    return row.get("variant_key") or schema.variant_key(*(row[k] for k in schema.KEY))


def _batch_size(options: ScoreOptions, provider: str) -> int:
    if options.batch_size:
        return options.batch_size
    return 1 if provider == "CPUExecutionProvider" else 64


@dataclass
class _Run:
    """One patient's SCORE pass: the rows, what each model added, the ledger."""

    rows: list[dict[str, Any]]
    ledger: Ledger
    status: list[str]
    cols: dict[str, list[Any]]
    track_rows: dict[str, list[Any]] = field(
        default_factory=lambda: {f.name: [] for f in TRACK_SCHEMA})
    used_providers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, table: pa.Table, patient: str) -> _Run:
        rows = table.select(list(schema.KEY) + [c for c in ("variant_key",)
                                                if c in table.column_names]).to_pylist()
        n = len(rows)
        ledger = Ledger(stage=Stage.SCORE, patient=patient, records_in=n, records_out=n)
        return cls(rows, ledger, [ScoreStatus.NOT_CANDIDATE] * n,
                   {c.name: [None] * n for c in schema.SCORE})


def run_score(in_path: Path | str, fasta: Path | str, model_dir: Path | str, out_dir: Path | str,
              annotation: Path | str | None = None,
              options: ScoreOptions | None = None) -> dict[str, Path]:
    """Score a variant table; returns the paths of table, ledger and tracks."""
    options = options or ScoreOptions()
    started = time.time()
    table, metadata = read_stage_table(in_path, Stage.SCORE)
    annotation = Path(annotation) if annotation else None
    genome = ReferenceGenome(fasta)
    bundles, splice, pangolins, xpressos, others = _models(Path(model_dir), options)
    run = _Run.of(table, metadata.patient)
    ann, reasons = None, None
    if splice:
        ann, reasons = _score_spliceai(run, splice, table, genome, metadata, annotation, options)
    else:
        run.ledger.notes.append("no SpliceAI bundle in the model directory: SpliceAI columns null")
    for bundle in pangolins:  # same rows, candidate policy and reference as SpliceAI's
        genes = pangolin_stage.gene_models(options, genome, ann, annotation)
        run.cols.update(pangolin_stage.score_rows(bundle, table, run.rows, genome, genes, options,
                                                  run.ledger, run.used_providers,
                                                  reasons if genes is ann else None,
                                                  track_rows=run.track_rows))
    for bundle in xpressos:
        _score_xpresso(run, bundle, table, genome,
                       pangolin_stage.gene_models(options, genome, ann, annotation), options)
    _score_registry(others, options, genome, run)
    run.cols["score_status"] = run.status
    meta = metadata.with_stage(Stage.SCORE, models=[b.provenance() for b in bundles],
                               providers=run.used_providers, distance=options.distance,
                               mask=options.mask,
                               pangolin_mask=options.pangolin_mask if pangolins else None,
                               max_af=None if options.all_variants else options.max_af,
                               fasta=str(fasta))
    paths = write_stage_outputs(
        Stage.SCORE, out_dir, metadata.patient, table=attach_columns(table, Stage.SCORE, run.cols),
        meta=meta, ledger=run.ledger,
        side_tables={"tracks": (pa.table(run.track_rows, schema=TRACK_SCHEMA),
                                {"patient": metadata.patient, "distance": options.distance})})
    log.info("SCORE %s done in %.1fs", metadata.patient, time.time() - started)
    genome.close()
    return paths


def _models(model_dir: Path, options: ScoreOptions):
    """(all bundles, the SpliceAI bundle or None, Pangolin bundles, Xpresso bundles, registry
    bundles)."""
    bundles = [load_bundle(p, verify=options.verify_checksums) for p in find_bundles(model_dir)]
    splice = [b for b in bundles if b.kind == "spliceai"]
    pangolins = [b for b in bundles if b.kind == "pangolin"]
    xpressos = [b for b in bundles if b.kind == "xpresso"]
    for kind, found in (("spliceai", splice), ("pangolin", pangolins), ("xpresso", xpressos)):
        if len(found) > 1:  # each writes one set of table columns
            raise ResourceError(f"more than one {kind} bundle in the model directory",
                                path=model_dir, hint=f"keep one {kind} bundle per folder")
    others = [b for b in bundles if b.kind not in ("spliceai", "pangolin", "xpresso")]
    return bundles, splice[0] if splice else None, pangolins, xpressos, others


def _score_xpresso(run: _Run, bundle: ModelBundle, table: pa.Table, genome: ReferenceGenome,
                   genes: SpliceAnnotation, options: ScoreOptions) -> None:
    """Xpresso's columns: promoter windows lie mostly outside the genes, so its candidates
    are chosen by the population-AF rule alone."""
    reasons = candidates.select(table, genes, candidates.CandidatePolicy(
        max_af=None if options.all_variants else options.max_af, require_gene=False))
    run.cols.update(xpresso.score_rows(bundle, run.rows, reasons, genome, genes, options,
                                       run.ledger, run.used_providers))


def _score_spliceai(run: _Run, bundle: ModelBundle, table: pa.Table, genome: ReferenceGenome,
                    metadata: TableMetadata, annotation: Path | None, options: ScoreOptions):
    """SpliceAI delta scores of every candidate, precomputed ones first; returns (gene
    annotation, candidate reasons) for Pangolin to reuse."""
    ann = _annotation_for(bundle, metadata.genome_build, annotation)
    policy = candidates.CandidatePolicy(max_af=None if options.all_variants else options.max_af)
    reasons = candidates.select(table, ann, policy)
    session, splice_providers = registry.open_splice_session(bundle, options, run.used_providers)
    runner = spliceai.EnsembleRunner(session, _batch_size(options, session.get_providers()[0]))
    cone = None
    if options.cone and run.used_providers[bundle.name] == "CPUExecutionProvider":
        # single-threaded sessions, one reference block per worker thread (see spliceai)
        cone = spliceai_cone.load_cone(bundle, splice_providers, 1)
        if cone is None:
            log.info("SpliceAI bundle has no staged graphs (exported by an older varrank): "
                     "full alternative pass; re-export for the faster cone pass")
    pre, note = precomputed.for_run(table, metadata, mask=options.mask,
                                    distance=options.distance, rescore=options.rescore)
    tasks = _splice_tasks(run, reasons, ann, genome, options, pre)
    if note:
        taken = run.cols["spliceai_source"].count("precomputed")
        run.ledger.notes.append(note if pre is None else
                                f"{note}: {taken} alleles taken from it, "
                                f"{len({t.row for t in tasks})} scored live")
    t0 = time.time()
    results = spliceai.score_tasks(runner, genome, tasks, options.distance, options.mask,
                                   cone=cone, workers=options.threads or len(os.sched_getaffinity(0)))
    best = _record_splice_results(run, bundle, tasks, results, options.distance)
    if best:
        run.ledger.notes.append(
            f"SpliceAI {bundle.version}: {throughput_note(best, time.time() - t0)} on "
            f"{run.used_providers[bundle.name]}{' (cone pass)' if cone else ''}")
    return ann, reasons


def _splice_tasks(run: _Run, reasons: list[str | None], ann: SpliceAnnotation,
                  genome: ReferenceGenome, options: ScoreOptions,
                  pre: precomputed.Precomputed | None = None) -> list[spliceai.SpliceTask]:
    """One task per candidate allele and overlapping gene; the others flagged with why, and
    those with usable precomputed scores recorded from them."""
    limits = Limits(distance=options.distance, max_n_fraction=options.max_n_fraction)
    tasks: list[spliceai.SpliceTask] = []
    for i, (row, reason) in enumerate(zip(run.rows, reasons)):
        if reason is not None:
            run.ledger.flag(f"{ScoreStatus.NOT_CANDIDATE}:{reason}", _key(row))
            continue
        contig, skip = check_allele(genome, row["chrom"], int(row["pos"]), row["ref"],
                                    row["alt"], limits)
        if skip is not None:
            run.status[i] = ScoreStatus.skipped(skip)
            run.ledger.flag(run.status[i], _key(row))
            continue
        if pre is not None and (known := pre.score(i, row["alt"])) is not None:
            _set_splice_columns(run, i, known, "precomputed")
            run.ledger.flag(ScoreStatus.SCORED)
            continue
        for gene in ann.genes_at(row["chrom"], int(row["pos"])):
            tasks.append(spliceai.SpliceTask(i, contig, int(row["pos"]), row["ref"].upper(),
                                             row["alt"].upper(), gene))
    log.info("SCORE: %d rows, %d SpliceAI candidates (%d allele-gene pairs)", len(run.rows),
             len({t.row for t in tasks}), len(tasks))
    return tasks


def _record_splice_results(run: _Run, bundle: ModelBundle, tasks, results, distance: int) -> int:
    """Each row's gene with the largest delta goes to the table and the tracks."""
    best: dict[int, spliceai.SpliceScore] = {}
    for task, result in zip(tasks, results):
        if task.row not in best or result.max_delta > best[task.row].max_delta:
            best[task.row] = result
    for i, result in best.items():
        _set_splice_columns(run, i, result, "live")
        _add_tracks(run.track_rows, _key(run.rows[i]), bundle.name, result, distance)
    run.ledger.flag(ScoreStatus.SCORED, n=len(best))
    return len(best)


def _set_splice_columns(run: _Run, i: int,
                        result: spliceai.SpliceScore | precomputed.SpliceDeltas,
                        source: str) -> None:
    run.status[i] = ScoreStatus.SCORED
    for name in ("ds_ag", "ds_al", "ds_dg", "ds_dl", "dp_ag", "dp_al", "dp_dg", "dp_dl"):
        run.cols[f"spliceai_{name}"][i] = getattr(result, name)
    run.cols["spliceai_max"][i] = result.max_delta
    run.cols["spliceai_gene"][i] = result.gene
    run.cols["spliceai_source"][i] = source


def _add_tracks(track_rows: dict[str, list[Any]], key: str, model: str,
                result: spliceai.SpliceScore, distance: int) -> None:
    size = 2 * distance + 1
    track_rows["variant_key"].extend([key] * size)
    track_rows["model"].extend([model] * size)
    track_rows["gene"].extend([result.gene] * size)
    track_rows["strand"].extend([result.strand] * size)
    track_rows["offset"].extend(range(-distance, distance + 1))
    track_rows["ref_acceptor"].extend(result.y_ref[:, 1].tolist())
    track_rows["alt_acceptor"].extend(result.y_alt[:, 1].tolist())
    track_rows["ref_donor"].extend(result.y_ref[:, 2].tolist())
    track_rows["alt_donor"].extend(result.y_alt[:, 2].tolist())
    track_rows["gain"].extend([None] * size)
    track_rows["loss"].extend([None] * size)


def _score_registry(bundles: list[ModelBundle], options: ScoreOptions,
                    genome: ReferenceGenome, run: _Run) -> None:
    """Score every row with each seq2func / dnalm bundle into the model_scores JSON column."""
    if not bundles:
        return
    rows, cols, ledger, used_providers = run.rows, run.cols, run.ledger, run.used_providers
    per_row: list[dict[str, Any]] = [{} for _ in rows]
    for bundle in bundles:
        chosen = providers.choose_providers(requested=options.provider,
                                            engine_cache=options.engine_cache, fp16=options.fp16,
                                            model=f"{bundle.name}-{bundle.version}")
        session = providers.make_session(bundle.graph, chosen, options.threads)
        used_providers[bundle.name] = session.get_providers()[0]
        scorer = registry.make_scorer(bundle, session)
        counts: Counter = Counter()
        for i, row in enumerate(rows):
            contig, skip = check_basic(genome, row["chrom"], int(row["pos"]), row["ref"],
                                       row["alt"])
            if skip is None:
                allele = registry.Allele(i, contig, int(row["pos"]), row["ref"].upper(),
                                         row["alt"].upper())
                value, skip = scorer.score(genome, allele)
                if value is not None:
                    per_row[i][bundle.name] = value
                    counts[ScoreStatus.SCORED] += 1
                    continue
            ledger.flag(f"{bundle.name}:{ScoreStatus.skipped(skip)}", _key(row))
        ledger.notes.append(f"{bundle.name} ({bundle.kind}): {counts[ScoreStatus.SCORED]} scored")
    cols[MODEL_SCORES] = [registry.scores_json(v) for v in per_row]
