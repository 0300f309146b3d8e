"""SCORE's Pangolin part: candidates, allele checks, tracks, per-gene scores -> table columns.

Kept beside the SpliceAI part of ``stage.run_score`` and fed the same inputs (variant rows,
reference, providers, options): both read the same rows and candidate policy, and each
records its own ledger entries (``pangolin:*``), throughput note and execution provider.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from varrank.core import schema
from varrank.core.errors import ResourceError
from varrank.core.ledger import Ledger, throughput_note
from varrank.core.vocab import ScoreStatus
from varrank.score import candidates, pangolin, registry, spliceai
from varrank.score.annotation import Gene, SpliceAnnotation
from varrank.score.bundle import ModelBundle
from varrank.score.pangolin_rules import (PangolinGeneScore, masked_extremes, score_of_masked,
                                          tissue_extremes)
from varrank.score.sequence import ReferenceGenome
from varrank.score.validate import Limits, check_pangolin_allele

log = logging.getLogger(__name__)

COLUMNS = ("pangolin_gain", "pangolin_gain_pos", "pangolin_loss", "pangolin_loss_pos",
           "pangolin_max", "pangolin_gene", "pangolin_info", "pangolin_status")


def gene_models(options, genome: ReferenceGenome, table_genes: SpliceAnnotation | None,
                table_path: Path | None) -> SpliceAnnotation:
    """Pangolin's genes: a GENCODE GFF3/GTF read like upstream's gffutils database when
    given (--pangolin-annotation), else the SpliceAI-format table SpliceAI uses."""
    if options.pangolin_annotation is not None:
        return SpliceAnnotation.from_gencode(options.pangolin_annotation, genome.lengths,
                                             genome.contig_names, options.pangolin_tags)
    if table_genes is not None:
        return table_genes
    if table_path is not None:
        return SpliceAnnotation.read(table_path)
    raise ResourceError("no gene annotation for Pangolin or Xpresso",
                        hint="pass --annotation (SpliceAI-format table) or "
                             "--pangolin-annotation (GENCODE GFF3/GTF)")


def genes_at(genes: SpliceAnnotation, chrom: str, pos: int) -> list[Gene]:
    """Genes the original assigns a variant to: its gffutils query keeps start < pos <= end
    (a variant on a gene's first base is outside it)."""
    return [g for g in genes.genes_at(chrom, pos) if g.tx_start < pos]


def _tasks(rows: list[dict[str, Any]], reasons: list[str | None], genome: ReferenceGenome,
           genes: SpliceAnnotation, options, ledger: Ledger, status: list[Any]
           ) -> tuple[list[pangolin.PangolinTask], dict[int, list[Gene]]]:
    """Pangolin tasks (allele x strand) and each row's genes; statuses of the others."""
    limits = Limits(distance=options.distance, max_n_fraction=options.max_n_fraction)
    tasks: list[pangolin.PangolinTask] = []
    row_genes: dict[int, list[Gene]] = {}
    for i, (row, reason) in enumerate(zip(rows, reasons)):
        key = row.get("variant_key") or schema.variant_key(*(row[k] for k in schema.KEY))
        found = genes_at(genes, row["chrom"], int(row["pos"])) if reason is None else []
        if reason is not None or not found:
            status[i] = f"{ScoreStatus.NOT_CANDIDATE}:{reason or 'not_in_annotated_gene'}"
            ledger.flag(f"pangolin:{status[i]}", key)
            continue
        contig, skip = check_pangolin_allele(genome, row["chrom"], int(row["pos"]), row["ref"],
                                             row["alt"], limits)
        if skip is not None:
            status[i] = ScoreStatus.skipped(skip)
            ledger.flag(f"pangolin:{status[i]}", key)
            continue
        row_genes[i] = sorted(found, key=lambda g: g.strand != "+")  # the original: + first
        for strand in dict.fromkeys(g.strand for g in row_genes[i]):
            tasks.append(pangolin.PangolinTask(i, contig, int(row["pos"]), row["ref"].upper(),
                                               row["alt"].upper(), strand))
    return tasks, row_genes


def _passer(bundle: ModelBundle, options, used: dict[str, str]):
    """Cone pass on CPU when the bundle has staged graphs, else the full graph."""
    session, session_providers = registry.open_splice_session(bundle, options, used)
    on_cpu = used[bundle.name] == "CPUExecutionProvider"
    if options.cone and on_cpu:
        cone = pangolin.load_cone_pass(bundle, session_providers)
        if cone is not None:
            return cone
        log.info("Pangolin bundle has no staged graphs: full graph for every allele")
    size = options.batch_size or (1 if on_cpu else 64)
    return pangolin.FullGraphPass(spliceai.EnsembleRunner(session, size, output="psplice"))


def score_rows(bundle: ModelBundle, table: pa.Table, rows: list[dict[str, Any]],
               genome: ReferenceGenome, genes: SpliceAnnotation, options, ledger: Ledger,
               used_providers: dict[str, str],
               reasons: list[str | None] | None = None,
               track_rows: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """The Pangolin columns for every row (nulls where not scored). ``reasons``: SpliceAI's
    candidate selection when both models read the same genes (computed once). With
    ``track_rows`` (SCORE's tracks side table) the reported gene's masked gain and loss per
    position are added, for the report's plot beside SpliceAI's."""
    n = len(rows)
    cols: dict[str, list[Any]] = {c: [None] * n for c in COLUMNS}
    if reasons is None:
        policy = candidates.CandidatePolicy(
            max_af=None if options.all_variants else options.max_af)
        reasons = candidates.select(table, genes, policy)
    status = cols["pangolin_status"]
    tasks, row_genes = _tasks(rows, reasons, genome, genes, options, ledger, status)
    passer = _passer(bundle, options, used_providers)
    t0 = time.time()
    workers = options.threads or len(os.sched_getaffinity(0))
    tracks = pangolin.compute_tracks(passer, genome, tasks, options.distance, workers)
    by_row: dict[int, list[PangolinGeneScore]] = defaultdict(list)
    masked: dict[tuple[int, str], tuple[Any, Any, Gene]] = {}  # what each score is the extreme of
    for task, (ref, alt) in zip(tasks, tracks):
        gain, loss = tissue_extremes(ref, alt, len(task.ref), len(task.alt), options.distance)
        for gene in row_genes[task.row]:
            if gene.strand == task.strand:
                g, lo, warnings = masked_extremes(gene, task.pos, gain, loss, options.distance,
                                                  options.pangolin_mask)
                by_row[task.row].append(score_of_masked(gene.name, g, lo, warnings,
                                                        options.distance))
                masked[(task.row, gene.name)] = (g, lo, gene)
    for i, scores in by_row.items():
        best = max(scores, key=lambda s: s.max_delta)  # first of equals, as listed
        if track_rows is not None:
            _add_tracks(track_rows, rows[i], bundle.name, masked[(i, best.gene)], options)
        for name, value in (("gain", best.gain), ("gain_pos", best.gain_pos),
                            ("loss", best.loss), ("loss_pos", best.loss_pos),
                            ("max", best.max_delta), ("gene", best.gene)):
            cols[f"pangolin_{name}"][i] = value
        cols["pangolin_info"][i] = ",".join(s.info() for s in scores)
        status[i] = ScoreStatus.SCORED
    elapsed = time.time() - t0
    ledger.flag(f"pangolin:{ScoreStatus.SCORED}", n=len(by_row))
    ledger.notes.append(
        f"Pangolin {bundle.version}: {throughput_note(len(by_row), elapsed)} on "
        f"{used_providers[bundle.name]}"
        f"{' (cone pass)' if isinstance(passer, pangolin.ConePass) else ''}; mask "
        f"{'on' if options.pangolin_mask else 'off'}; genes from {Path(genes.source).name}")
    return cols


def _add_tracks(track_rows: dict[str, list[Any]], row: dict[str, Any], model: str,
                masked: tuple[Any, Any, Gene], options) -> None:
    """The reported gene's masked gain/loss per position (offset -D..+D) as tracks rows;
    SpliceAI's probability columns stay null on them."""
    gain, loss, gene = masked
    size = len(gain)
    key = row.get("variant_key") or schema.variant_key(*(row[k] for k in schema.KEY))
    for name, values in (("variant_key", [key] * size), ("model", [model] * size),
                         ("gene", [gene.name] * size), ("strand", [gene.strand] * size),
                         ("offset", list(range(-options.distance, size - options.distance))),
                         ("gain", [float(v) for v in gain]), ("loss", [float(v) for v in loss])):
        track_rows[name].extend(values)
    for name in track_rows:
        if name not in TRACK_OWN:
            track_rows[name].extend([None] * size)


TRACK_OWN = ("variant_key", "model", "gene", "strand", "offset", "gain", "loss")

