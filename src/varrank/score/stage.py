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
from varrank.core.ledger import Ledger
from varrank.core.stage_io import attach_columns, read_stage_table, write_stage_outputs
from varrank.core.vocab import ScoreStatus, Stage
from varrank.score import candidates, pangolin_stage, providers, registry, spliceai, spliceai_cone
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


def run_score(in_path: Path | str, fasta: Path | str, model_dir: Path | str, out_dir: Path | str,
              annotation: Path | str | None = None,
              options: ScoreOptions | None = None) -> dict[str, Path]:
    """Score a variant table; returns the paths of table, ledger and tracks."""
    options = options or ScoreOptions()
    in_path, out_dir = Path(in_path), Path(out_dir)
    started = time.time()
    table, metadata = read_stage_table(in_path, Stage.SCORE)
    patient = metadata.patient
    build = metadata.genome_build
    genome = ReferenceGenome(fasta)
    bundles = [load_bundle(p, verify=options.verify_checksums) for p in find_bundles(model_dir)]
    splice = [b for b in bundles if b.kind == "spliceai"]
    pangolins = [b for b in bundles if b.kind == "pangolin"]
    for kind, found in (("spliceai", splice), ("pangolin", pangolins)):
        if len(found) > 1:  # each writes one set of table columns
            raise ResourceError(f"more than one {kind} bundle in the model directory",
                                path=Path(model_dir), hint=f"keep one {kind} bundle per folder")
    others = [b for b in bundles if b.kind not in ("spliceai", "pangolin")]
    chosen = providers.choose_providers(requested=options.provider,
                                        engine_cache=options.engine_cache, fp16=options.fp16)
    ledger = Ledger(stage=Stage.SCORE, patient=patient, records_in=table.num_rows,
                    records_out=table.num_rows)
    rows = table.select(list(schema.KEY) + [c for c in ("variant_key",)
                                            if c in table.column_names]).to_pylist()
    n = len(rows)
    status: list[str] = [ScoreStatus.NOT_CANDIDATE] * n
    cols: dict[str, list[Any]] = {c.name: [None] * n for c in schema.SCORE}
    track_rows: dict[str, list[Any]] = {f.name: [] for f in TRACK_SCHEMA}
    used_providers: dict[str, str] = {}

    ann, reasons = None, None
    if splice:
        bundle = splice[0]
        ann = _annotation_for(bundle, build, Path(annotation) if annotation else None)
        policy = candidates.CandidatePolicy(
            max_af=None if options.all_variants else options.max_af)
        reasons = candidates.select(table, ann, policy)
        session, splice_providers = registry.open_splice_session(bundle, options, used_providers)
        runner = spliceai.EnsembleRunner(session, _batch_size(options, session.get_providers()[0]))
        cone = None
        workers = options.threads or len(os.sched_getaffinity(0))
        if options.cone and used_providers[bundle.name] == "CPUExecutionProvider":
            # single-threaded sessions, one reference block per worker thread (see spliceai)
            cone = spliceai_cone.load_cone(bundle, splice_providers, 1)
            if cone is None:
                log.info("SpliceAI bundle has no staged graphs (exported by an older varrank): "
                         "full alternative pass; re-export for the faster cone pass")
        limits = Limits(distance=options.distance, max_n_fraction=options.max_n_fraction)
        tasks: list[spliceai.SpliceTask] = []
        for i, (row, reason) in enumerate(zip(rows, reasons)):
            if reason is not None:
                ledger.flag(f"{ScoreStatus.NOT_CANDIDATE}:{reason}", _key(row))
                continue
            contig, skip = check_allele(genome, row["chrom"], int(row["pos"]), row["ref"],
                                        row["alt"], limits)
            if skip is not None:
                status[i] = ScoreStatus.skipped(skip)
                ledger.flag(status[i], _key(row))
                continue
            for gene in ann.genes_at(row["chrom"], int(row["pos"])):
                tasks.append(spliceai.SpliceTask(i, contig, int(row["pos"]), row["ref"].upper(),
                                                 row["alt"].upper(), gene))
        log.info("SCORE %s: %d rows, %d SpliceAI candidates (%d allele-gene pairs)", patient, n,
                 len({t.row for t in tasks}), len(tasks))
        t0 = time.time()
        results = spliceai.score_tasks(runner, genome, tasks, options.distance, options.mask,
                                       cone=cone, workers=workers)
        elapsed = time.time() - t0
        best: dict[int, spliceai.SpliceScore] = {}
        for task, result in zip(tasks, results):
            if task.row not in best or result.max_delta > best[task.row].max_delta:
                best[task.row] = result
        for i, result in best.items():
            status[i] = ScoreStatus.SCORED
            for name in ("ds_ag", "ds_al", "ds_dg", "ds_dl", "dp_ag", "dp_al", "dp_dg", "dp_dl"):
                cols[f"spliceai_{name}"][i] = getattr(result, name)
            cols["spliceai_max"][i] = result.max_delta
            cols["spliceai_gene"][i] = result.gene
            _add_tracks(track_rows, _key(rows[i]), bundle.name, result, options.distance)
        ledger.flag(ScoreStatus.SCORED, n=len(best))
        if best:
            ledger.notes.append(
                f"SpliceAI {bundle.version}: {len(best)} variants in {elapsed:.1f}s "
                f"({len(best) / max(elapsed, 1e-9):.1f} variants/s) on "
                f"{used_providers[bundle.name]}{' (cone pass)' if cone else ''}")
    else:
        ledger.notes.append("no SpliceAI bundle in the model directory: SpliceAI columns null")

    for bundle in pangolins:  # same rows, candidate policy and reference as SpliceAI's
        genes = pangolin_stage.gene_models(options, genome, ann,
                                           Path(annotation) if annotation else None)
        cols.update(pangolin_stage.score_rows(bundle, table, rows, genome, genes, options,
                                              ledger, used_providers,
                                              reasons if genes is ann else None))
    _score_registry(others, chosen, options, genome, rows, cols, ledger, used_providers)
    cols["score_status"] = status
    out_table = attach_columns(table, Stage.SCORE, cols)
    meta = metadata.with_stage(Stage.SCORE, models=[b.provenance() for b in bundles],
                               providers=used_providers, distance=options.distance,
                               mask=options.mask,
                               pangolin_mask=options.pangolin_mask if pangolins else None,
                               max_af=None if options.all_variants else options.max_af,
                               fasta=str(fasta))
    tracks = pa.table(track_rows, schema=TRACK_SCHEMA)
    paths = write_stage_outputs(
        Stage.SCORE, out_dir, patient, table=out_table, meta=meta, ledger=ledger,
        side_tables={"tracks": (tracks, {"patient": patient, "distance": options.distance})})
    log.info("SCORE %s done in %.1fs", patient, time.time() - started)
    genome.close()
    return paths


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


def _score_registry(bundles: list[ModelBundle], chosen, options: ScoreOptions,
                    genome: ReferenceGenome, rows: list[dict[str, Any]],
                    cols: dict[str, list[Any]], ledger: Ledger,
                    used_providers: dict[str, str]) -> None:
    """Score every row with each seq2func / dnalm bundle into the model_scores JSON column."""
    if not bundles:
        return
    per_row: list[dict[str, Any]] = [{} for _ in rows]
    for bundle in bundles:
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
