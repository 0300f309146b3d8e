"""Pangolin tracks with the exported ONNX bundle: shared reference blocks, cone pass on CPU.

The original CLI runs 12 networks twice (ref and alt) over a 10,101+ bp window with 'same'
padding for every variant and strand. Here, with the same arithmetic per position:

* the reference does not depend on the variant, only on position and strand (Pangolin does
  not mask bases outside the gene), so it runs once per strand over merged blocks of nearby
  variants; the graph computes only output positions (valid convolutions);
* on CPU each alternative allele recomputes only the cone of activations it changes, one
  tissue's 3 networks at a time (``spliceai_cone.ConeEnsemble`` on the bundle's staged
  graphs; ~0.2 GB of stored activations per block); on GPU, or with ``cone=False``, every
  alternative window runs the full ensemble graph, batched by length.

Tracks come back in genome orientation: ref over [pos - D, pos + len(REF) - 1 + D], alt over
the len(ALT) + 2D positions of the alternative window; ``pangolin_rules`` turns them into
scores.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from varrank.score.sequence import ReferenceGenome
from varrank.score.spliceai import (CONE_BATCH, CONE_MAX_BLOCK, CONE_MERGE_GAP, FLANK,
                                    MAX_BLOCK, MERGE_GAP, EnsembleRunner, encode_for_strand,
                                    merge_windows, run_blocks)
from varrank.score.spliceai_cone import ConeEnsemble

log = logging.getLogger(__name__)

Tracks = tuple[np.ndarray, np.ndarray]  # (ref (len(REF)+2D, 12), alt (len(ALT)+2D, 12))


@dataclass(frozen=True)
class PangolinTask:
    """One allele on one strand (all genes of that strand share its tracks)."""

    row: int
    contig: str
    pos: int
    ref: str
    alt: str
    strand: str

    def window(self, distance: int) -> tuple[int, int]:
        """Reference output positions the score reads (genomic, inclusive)."""
        return self.pos - distance, self.pos + len(self.ref) - 1 + distance


@dataclass(frozen=True)
class StrandBlock:
    contig: str
    strand: str
    lo: int
    hi: int
    members: tuple[int, ...]


def strand_blocks(tasks: list[PangolinTask], distance: int, max_block: int,
                  merge_gap: int) -> list[StrandBlock]:
    by_strand: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, task in enumerate(tasks):
        by_strand[(task.contig, task.strand)].append(index)
    blocks = []
    for (contig, strand), indices in by_strand.items():
        left = set(indices)
        for lo, hi in merge_windows([tasks[i].window(distance) for i in indices], max_block,
                                    merge_gap):
            members = tuple(i for i in sorted(left) if lo <= tasks[i].window(distance)[0]
                            and tasks[i].window(distance)[1] <= hi)
            left.difference_update(members)
            blocks.append(StrandBlock(contig, strand, lo, hi, members))
    return blocks


def alt_window(genome: ReferenceGenome, task: PangolinTask, distance: int) -> str:
    """The original's alternative window: 5,000 + D bases each side of REF, REF -> ALT."""
    half = FLANK + distance
    seq = genome.fetch(task.contig, task.pos - half, task.pos + len(task.ref) - 1 + half)
    return seq[:half] + task.alt + seq[half + len(task.ref):]


class Windows:
    """Thread-safe reads of the reference windows (pysam's FastaFile is not thread-safe)."""

    def __init__(self, genome: ReferenceGenome, distance: int) -> None:
        self.genome, self.distance = genome, distance
        self._lock = threading.Lock()

    def block(self, block: StrandBlock) -> np.ndarray:
        """One-hot input of a reference block (model orientation)."""
        with self._lock:
            seq = self.genome.fetch(block.contig, block.lo - FLANK, block.hi + FLANK)
        return encode_for_strand(seq, block.strand)

    def alternative(self, task: PangolinTask) -> np.ndarray:
        with self._lock:
            seq = alt_window(self.genome, task, self.distance)
        return encode_for_strand(seq, task.strand)


def _genomic(probs: np.ndarray, strand: str) -> np.ndarray:
    return probs[::-1] if strand == "-" else probs


class FullGraphPass:
    """Reference block and every alternative window through the full ensemble graph."""

    def __init__(self, runner: EnsembleRunner) -> None:
        self.runner = runner
        self.max_block, self.merge_gap = MAX_BLOCK, MERGE_GAP

    def run_block(self, windows: Windows, block: StrandBlock,
                  tasks: list[PangolinTask], distance: int) -> dict[int, Tracks]:
        ref = _genomic(self.runner.run([windows.block(block)])[0], block.strand)
        by_length: dict[int, list[int]] = defaultdict(list)
        for i in block.members:
            by_length[len(tasks[i].alt)].append(i)
        out = {}
        for _n, group in sorted(by_length.items()):
            xs = [windows.alternative(tasks[i]) for i in group]
            for i, alt in zip(group, self.runner.run(xs)):
                lo, hi = tasks[i].window(distance)
                out[i] = (ref[lo - block.lo:hi - block.lo + 1],
                          _genomic(alt, block.strand))
        return out


class ConePass:
    """Per tissue group: reference activations of the block, then each allele's cone."""

    def __init__(self, cones: list[tuple[ConeEnsemble, slice]], n_models: int) -> None:
        self.cones, self.n_models = cones, n_models
        self.max_block, self.merge_gap = CONE_MAX_BLOCK, CONE_MERGE_GAP

    def run_block(self, windows: Windows, block: StrandBlock,
                  tasks: list[PangolinTask], distance: int) -> dict[int, Tracks]:
        half = FLANK + distance
        x = windows.block(block)
        ref = np.empty((block.hi - block.lo + 1, self.n_models), dtype=np.float32)
        alts = {i: np.empty((len(tasks[i].alt) + 2 * distance, self.n_models), np.float32)
                for i in block.members}
        shapes: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in block.members:
            shapes[(len(tasks[i].ref), len(tasks[i].alt))].append(i)
        for cone, columns in self.cones:
            activations = cone.reference(x)
            ref[:, columns] = _genomic(activations.probs, block.strand)
            for (ref_len, alt_len), group in sorted(shapes.items()):
                for k in range(0, len(group), CONE_BATCH):
                    chunk = group[k:k + CONE_BATCH]
                    probs = cone.alternative(
                        activations, np.stack([encode_for_strand(tasks[i].alt, block.strand)
                                               for i in chunk]),
                        [alt_offset(tasks[i], block, distance) for i in chunk], half,
                        alt_len - ref_len, alt_len + 2 * half)
                    for i, p in zip(chunk, probs):
                        alts[i][:, columns] = _genomic(p, block.strand)
        out = {}
        for i in block.members:
            lo, hi = tasks[i].window(distance)
            out[i] = (ref[lo - block.lo:hi - block.lo + 1], alts[i])
        return out


def alt_offset(task: PangolinTask, block: StrandBlock, distance: int) -> int:
    """Index in the block's input (model orientation) of the alternative window's first base;
    the window holds 5,000 + D bases each side of REF, so on the minus strand its first
    model-orientation base is the genome's last."""
    if block.strand == "-":
        return block.hi - task.pos - len(task.ref) + 1 - distance
    return task.pos - distance - block.lo


def compute_tracks(passer: FullGraphPass | ConePass, genome: ReferenceGenome,
                   tasks: list[PangolinTask], distance: int, workers: int = 1) -> list[Tracks]:
    """Per task (ref, alt) per-model P(splice) tracks in genome orientation."""
    results: list[Any] = [None] * len(tasks)
    windows = Windows(genome, distance)

    def run(block: StrandBlock) -> None:
        for i, tracks in passer.run_block(windows, block, tasks, distance).items():
            results[i] = tracks

    blocks = strand_blocks(tasks, distance, passer.max_block, passer.merge_gap)
    log.info("Pangolin: %d allele-strand pairs in %d reference blocks (%s)", len(tasks),
             len(blocks), type(passer).__name__)
    run_blocks(run, blocks, workers, label="score: Pangolin")
    return results


def load_cone_pass(bundle, providers: list[tuple[str, dict[str, Any]]]) -> ConePass | None:
    """The bundle's per-tissue staged graphs (single-threaded sessions), or None."""
    stages = bundle.manifest.get("stages") or {}
    groups = stages.get("groups")
    if not groups:
        return None
    cones = [(ConeEnsemble(bundle.root, plan, providers, 1), slice(*plan["columns"]))
             for plan in groups]
    return ConePass(cones, max(plan["columns"][1] for plan in groups))
