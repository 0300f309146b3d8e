"""SpliceAI delta scores with the exported ONNX ensemble, exact to the original CLI's rules.

What the original ``spliceai`` 1.3.1 does per variant and gene (spliceai/utils.py), and how
this module reproduces it faster:

* window of 10,000 + 2D + 1 bases centred on the variant, bases outside the gene's
  transcript replaced by N, reverse-complemented for minus-strand genes;
* ``y_ref``/``y_alt``: mean of the 5 networks' acceptor/donor probabilities over the 2D + 1
  positions around the variant; for deletions zeros are inserted into ``y_alt`` at the deleted
  bases, for insertions the inserted bases are collapsed to their maximum;
* DS_AG = max(alt - ref) acceptor, DS_AL = max(ref - alt) acceptor, same for donors; DP_* is
  the position of that maximum relative to the variant; with -M, gains at annotated and
  losses at unannotated boundaries are masked to 0;
* REF longer than 2D is skipped; REF and ALT both longer than 1 (MNV/complex) get no score.

Faster, with identical arithmetic: the reference pass does not depend on the variant (only on
gene and position), so it is computed once per gene over merged blocks of nearby variants
instead of once per variant, allele and gene; alternative sequences of the same length are
batched; the graph itself computes only the output window (see export/torch_net.py).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import onnxruntime as ort

from varrank.core.progress import Progress
from varrank.score.annotation import Gene
from varrank.score.precomputed import SpliceDeltas
from varrank.score.spliceai_cone import ConeEnsemble
from varrank.score.sequence import ReferenceGenome, one_hot, reverse_complement_onehot

log = logging.getLogger(__name__)

FLANK = 5000  # context each side consumed by the network (10,000 total)
MERGE_GAP = 2 * FLANK  # merge reference blocks closer than this: cheaper than new context
MAX_BLOCK = 20000  # outputs per reference pass, bounds memory on long genes
# the cone path keeps every intermediate activation of a block (~30 KB per position for the
# five networks), so its blocks are shorter: ~0.4 GB at 12,000 outputs
CONE_MAX_BLOCK = 12000
# a separate block costs its 2 x 5,000 context, which the trimmed stages turn into the work of
# ~6,460 extra output positions (sum of K * 2 * remaining reach over the 32 convolutions /
# sum of K): bridging a smaller gap between two windows is cheaper than a new block
CONE_MERGE_GAP = 6400
# alleles per cone call: larger batches overflow the CPU caches and run slower per allele
CONE_BATCH = 2


def trt_profile(input_name: str, batch: int) -> dict[str, str]:
    """TensorRT shape profile spanning SpliceAI's input lengths: one alt window (10,001 + 2D
    + inserted bases) up to a merged reference block (MAX_BLOCK + 10,000)."""
    longest = MAX_BLOCK + 2 * FLANK + 101
    return {"min": f"{input_name}:1x{2 * FLANK + 1}x4",
            "opt": f"{input_name}:{batch}x{2 * FLANK + 101}x4",
            "max": f"{input_name}:{batch}x{longest}x4"}


@dataclass(frozen=True)
class SpliceTask:
    """One (allele, gene) pair to score; ``row`` indexes the variant table."""

    row: int
    contig: str
    pos: int
    ref: str
    alt: str
    gene: Gene


@dataclass
class SpliceScore(SpliceDeltas):
    """A live score: the deltas plus what the run saw (strand, probability tracks)."""

    strand: str
    y_ref: np.ndarray  # (2D+1, 3) float32, genomic orientation
    y_alt: np.ndarray

    def info(self, alt: str) -> str:
        """The original's INFO/SpliceAI entry text for this allele."""
        return (f"{alt}|{self.gene}|{self.ds_ag:.2f}|{self.ds_al:.2f}|{self.ds_dg:.2f}|"
                f"{self.ds_dl:.2f}|{self.dp_ag}|{self.dp_al}|{self.dp_dg}|{self.dp_dl}")


def masked_window(genome: ReferenceGenome, contig: str, start: int, end: int,
                  gene: Gene) -> str:
    """Bases [start, end] with everything outside the gene's transcript set to N."""
    seq = genome.fetch(contig, start, end)
    left = max(gene.tx_start - start, 0)
    right = max(end - gene.tx_end, 0)
    if left or right:
        seq = "N" * left + seq[left:len(seq) - right] + "N" * right
    return seq[:end - start + 1]


def encode_for_strand(seq: str, strand: str) -> np.ndarray:
    x = one_hot(seq)
    return np.ascontiguousarray(reverse_complement_onehot(x)) if strand == "-" else x


class EnsembleRunner:
    """Runs the ensemble graph on batches of equal-length one-hot sequences."""

    def __init__(self, session: ort.InferenceSession, batch_size: int = 1,
                 output: str = "probs") -> None:
        self.session = session
        self.batch_size = max(1, batch_size)
        self.input_name = session.get_inputs()[0].name
        self.output = output
        self.positions = 0  # input positions run, for throughput logging

    def run(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for i in range(0, len(xs), self.batch_size):
            batch = np.stack(xs[i:i + self.batch_size]).astype(np.float32, copy=False)
            self.positions += batch.shape[0] * batch.shape[1]
            probs = self.session.run([self.output], {self.input_name: batch})[0]
            out.extend(probs[j] for j in range(probs.shape[0]))
        return out


def merge_windows(windows: Iterable[tuple[int, int]], max_block: int = MAX_BLOCK,
                  merge_gap: int = MERGE_GAP) -> list[tuple[int, int]]:
    """Merge output windows [lo, hi] into blocks of reference outputs: windows closer than
    ``merge_gap`` share a block (cheaper than a new block's context) up to ``max_block``."""
    blocks: list[tuple[int, int]] = []
    for lo, hi in sorted(set(windows)):
        if blocks and lo - blocks[-1][1] <= merge_gap and hi - blocks[-1][0] < max_block:
            blocks[-1] = (blocks[-1][0], max(hi, blocks[-1][1]))
        else:
            blocks.append((lo, hi))
    return blocks


def _ref_blocks(positions: list[int], distance: int, max_block: int = MAX_BLOCK,
                merge_gap: int = MERGE_GAP) -> list[tuple[int, int]]:
    """Merge [pos-D, pos+D] windows into blocks of reference outputs."""
    return merge_windows(((p - distance, p + distance) for p in positions), max_block,
                         merge_gap)


class ReferenceTracks:
    """Reference-allele probabilities per gene over merged blocks (the shared ref pass)."""

    def __init__(self) -> None:
        self._blocks: dict[Gene, list[tuple[int, np.ndarray]]] = defaultdict(list)

    def add(self, gene: Gene, start: int, probs: np.ndarray) -> None:
        self._blocks[gene].append((start, probs))

    def window(self, gene: Gene, pos: int, distance: int) -> np.ndarray:
        for start, probs in self._blocks[gene]:
            if start <= pos - distance and pos + distance < start + len(probs):
                return probs[pos - distance - start:pos + distance - start + 1]
        raise KeyError((gene.name, pos))


def compute_reference(runner: EnsembleRunner, genome: ReferenceGenome,
                      tasks: Iterable[SpliceTask], distance: int) -> ReferenceTracks:
    by_gene: dict[tuple[Gene, str], list[int]] = defaultdict(list)
    for task in tasks:
        by_gene[(task.gene, task.contig)].append(task.pos)
    tracks = ReferenceTracks()
    for (gene, contig), positions in by_gene.items():
        for lo, hi in _ref_blocks(positions, distance):
            seq = masked_window(genome, contig, lo - FLANK, hi + FLANK, gene)
            probs = runner.run([encode_for_strand(seq, gene.strand)])[0]
            if gene.strand == "-":
                probs = probs[::-1]
            tracks.add(gene, lo, np.ascontiguousarray(probs))
    return tracks


def alt_sequence(genome: ReferenceGenome, task: SpliceTask, distance: int) -> str:
    half = FLANK + distance
    seq = masked_window(genome, task.contig, task.pos - half, task.pos + half, task.gene)
    return seq[:half] + task.alt + seq[half + len(task.ref):]


def compute_alternative(runner: EnsembleRunner, genome: ReferenceGenome,
                        tasks: list[SpliceTask], distance: int) -> list[np.ndarray]:
    """Alt-allele probabilities per task (genomic orientation), batched by sequence length."""
    results: list[np.ndarray | None] = [None] * len(tasks)
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, task in enumerate(tasks):
        by_length[len(task.alt) - len(task.ref)].append(index)
    progress = Progress("score: SpliceAI alternative alleles", total=len(tasks), unit="alleles")
    for _delta, indices in sorted(by_length.items()):
        xs = [encode_for_strand(alt_sequence(genome, tasks[i], distance), tasks[i].gene.strand)
              for i in indices]
        for i, probs in zip(indices, runner.run(xs)):
            results[i] = probs[::-1] if tasks[i].gene.strand == "-" else probs
            progress.update()
    progress.finish()
    return results  # type: ignore[return-value]


def align_alt(y_alt: np.ndarray, ref_len: int, alt_len: int, distance: int) -> np.ndarray:
    """Bring alt probabilities onto the 2D+1 reference positions (the original's indel rule)."""
    cov = 2 * distance + 1
    if ref_len > 1 and alt_len == 1:
        del_len = ref_len - alt_len
        return np.concatenate([y_alt[:cov // 2 + alt_len],
                               np.zeros((del_len, 3), dtype=y_alt.dtype),
                               y_alt[cov // 2 + alt_len:]])
    if ref_len == 1 and alt_len > 1:
        return np.concatenate([y_alt[:cov // 2],
                               np.max(y_alt[cov // 2:cov // 2 + alt_len], axis=0)[None, :],
                               y_alt[cov // 2 + alt_len:]])
    return y_alt


def delta_scores(task: SpliceTask, y_ref: np.ndarray, y_alt: np.ndarray, distance: int,
                 mask: bool) -> SpliceScore:
    """DS/DP exactly as spliceai 1.3.1 computes them (float32, 2-decimal rounding)."""
    cov = 2 * distance + 1
    y_alt = align_alt(y_alt, len(task.ref), len(task.alt), distance).astype(np.float32)
    y_ref = y_ref.astype(np.float32)
    idx_pa = int((y_alt[:, 1] - y_ref[:, 1]).argmax())
    idx_na = int((y_ref[:, 1] - y_alt[:, 1]).argmax())
    idx_pd = int((y_alt[:, 2] - y_ref[:, 2]).argmax())
    idx_nd = int((y_ref[:, 2] - y_alt[:, 2]).argmax())
    boundary = task.gene.nearest_boundary(task.pos)
    mask_pa = mask and (idx_pa - cov // 2 == boundary)
    mask_na = mask and (idx_na - cov // 2 != boundary)
    mask_pd = mask and (idx_pd - cov // 2 == boundary)
    mask_nd = mask and (idx_nd - cov // 2 != boundary)

    def rounded(value: np.float32, masked: bool) -> float:
        return float(f"{value * (1 - int(masked)):.2f}") + 0.0  # +0.0 turns -0.0 into 0.0

    return SpliceScore(
        gene=task.gene.name, strand=task.gene.strand,
        ds_ag=rounded(y_alt[idx_pa, 1] - y_ref[idx_pa, 1], mask_pa),
        ds_al=rounded(y_ref[idx_na, 1] - y_alt[idx_na, 1], mask_na),
        ds_dg=rounded(y_alt[idx_pd, 2] - y_ref[idx_pd, 2], mask_pd),
        ds_dl=rounded(y_ref[idx_nd, 2] - y_alt[idx_nd, 2], mask_nd),
        dp_ag=idx_pa - cov // 2, dp_al=idx_na - cov // 2,
        dp_dg=idx_pd - cov // 2, dp_dl=idx_nd - cov // 2,
        y_ref=y_ref, y_alt=y_alt)


def score_tasks(runner: EnsembleRunner, genome: ReferenceGenome, tasks: list[SpliceTask],
                distance: int = 50, mask: bool = False,
                cone: ConeEnsemble | None = None, workers: int = 1) -> list[SpliceScore]:
    """Score every task; tasks must already be validated (see varrank.score.validate).

    With ``cone`` (the bundle's staged graphs, used on CPU) the alternative pass recomputes
    only the activations each allele changes; otherwise every allele runs the full graph.
    """
    if not tasks:
        return []
    if cone is not None:
        log.info("SpliceAI: %d allele-gene pairs, reference blocks with stored activations, "
                 "cone-only alternative pass", len(tasks))
        return _score_with_cone(cone, genome, tasks, distance, mask, workers)
    log.info("SpliceAI: %d allele-gene pairs, reference pass over shared blocks", len(tasks))
    reference = compute_reference(runner, genome, tasks, distance)
    log.info("SpliceAI: alternative-allele pass")
    alts = compute_alternative(runner, genome, tasks, distance)
    return [delta_scores(task, reference.window(task.gene, task.pos, distance), y_alt,
                         distance, mask) for task, y_alt in zip(tasks, alts)]


@dataclass(frozen=True)
class _ConeBlock:
    """One reference block of a gene and the tasks whose output window lies inside it."""

    gene: Gene
    contig: str
    lo: int
    hi: int
    members: tuple[int, ...]


def _cone_blocks(tasks: list[SpliceTask], distance: int) -> list[_ConeBlock]:
    blocks: list[_ConeBlock] = []
    by_gene: dict[tuple[Gene, str], list[int]] = defaultdict(list)
    for index, task in enumerate(tasks):
        by_gene[(task.gene, task.contig)].append(index)
    for (gene, contig), indices in by_gene.items():
        left = set(indices)
        for lo, hi in _ref_blocks([tasks[i].pos for i in indices], distance, CONE_MAX_BLOCK,
                                  CONE_MERGE_GAP):
            members = tuple(i for i in indices if i in left
                            and lo <= tasks[i].pos - distance and tasks[i].pos + distance <= hi)
            left.difference_update(members)
            blocks.append(_ConeBlock(gene, contig, lo, hi, members))
        if left:  # pragma: no cover - every window lies in a block by construction
            raise RuntimeError(f"no reference block for {tasks[min(left)]}")
    return blocks


def _score_with_cone(cone: ConeEnsemble, genome: ReferenceGenome, tasks: list[SpliceTask],
                     distance: int, mask: bool, workers: int = 1) -> list[SpliceScore]:
    """Reference block by block (activations kept), then each allele's cone in that block.

    Blocks are independent, so ``workers`` threads run them side by side on one set of
    single-threaded sessions (onnxruntime releases the GIL): on these small convolutions that
    scales better than onnxruntime's own intra-op threads. Memory: ~0.5 GB per worker (1.3 GB peak for the whole process with 2).
    """
    results: list[SpliceScore | None] = [None] * len(tasks)
    fetch_lock = threading.Lock()  # pysam's FastaFile is not thread-safe
    half = FLANK + distance

    def run_block(block: _ConeBlock) -> None:
        minus = block.gene.strand == "-"
        lo, hi = block.lo, block.hi
        with fetch_lock:
            seq = masked_window(genome, block.contig, lo - FLANK, hi + FLANK, block.gene)
        ref = cone.reference(encode_for_strand(seq, block.gene.strand))
        ref_probs = ref.probs[::-1] if minus else ref.probs  # genomic, index 0 = lo
        shapes: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in block.members:
            shapes[(len(tasks[i].ref), len(tasks[i].alt))].append(i)
        for (ref_len, alt_len), group in sorted(shapes.items()):
            delta = alt_len - ref_len
            start = half + 1 - ref_len if minus else half
            for k in range(0, len(group), CONE_BATCH):
                chunk = group[k:k + CONE_BATCH]
                segments = np.stack([encode_for_strand(tasks[i].alt, block.gene.strand)
                                     for i in chunk])
                offsets = [(hi - tasks[i].pos - distance) if minus
                           else (tasks[i].pos - distance - lo) for i in chunk]
                probs = cone.alternative(ref, segments, offsets, start, delta,
                                         2 * half + 1 + delta)
                for i, p in zip(chunk, probs):
                    task = tasks[i]
                    y_ref = ref_probs[task.pos - distance - lo:task.pos + distance - lo + 1]
                    results[i] = delta_scores(task, y_ref, p[::-1] if minus else p,
                                              distance, mask)

    run_blocks(run_block, _cone_blocks(tasks, distance), workers, label="score: SpliceAI")
    return results  # type: ignore[return-value]


def run_blocks(run_block, blocks: list, workers: int, label: str = "score") -> None:
    """Run independent reference blocks on ``workers`` threads (onnxruntime releases the
    GIL); a worker's exception is re-raised here. Progress counts the blocks' alleles."""
    size = lambda block: len(getattr(block, "members", None) or [None])  # noqa: E731
    progress = Progress(label, total=sum(size(b) for b in blocks), unit="alleles")
    if workers <= 1 or len(blocks) == 1:
        for block in blocks:
            run_block(block)
            progress.update(size(block))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for block, _ in zip(blocks, pool.map(run_block, blocks)):
                progress.update(size(block))
    progress.finish()
