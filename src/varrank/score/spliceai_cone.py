"""Alternative-allele pass that recomputes only the activations a variant can change.

A convolution of half-width h spreads a change by h positions per layer, so after the
layers that have consumed ``c`` positions per side, an alternative allele's activations
differ from the reference's only within ``c`` of the changed bases (the "cone"); everything
else equals the reference activation at the same position (shifted by the length change for
indels, to the right of the variant). The reference pass over a block of nearby variants
keeps every intermediate activation; each alternative allele then runs the stage graphs
(export/spliceai_stages.py) only over its cone clipped to what the output window needs,
filling the rest of each stage's input from the stored reference. Same operations on the same
numbers as the full graph; for SpliceAI-10k ~3.8x fewer multiply-adds per allele.

Coordinates are in model orientation (minus-strand windows reverse-complemented) and in
"input index" units: position q of a tensor after ``reach`` positions have been consumed per
side is stored at array index q - reach.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from varrank.score import providers as ort_providers

log = logging.getLogger(__name__)

Level = tuple[str, int]  # ("a", r): output of residual unit r (0 = stem); ("t", r): its middle


class ConeError(RuntimeError):
    """A cone would read reference activations the block does not hold (a bug, not input)."""


@dataclass
class ReferenceActivations:
    """Every intermediate activation of one reference block: level -> (array (C, W), reach)."""

    levels: dict[Level, tuple[np.ndarray, int]]
    probs: np.ndarray  # (L - 2 * flank, 3), model orientation


class ConeEnsemble:
    """The staged SpliceAI ensemble: reference pass with activations, cone alternative pass."""

    def __init__(self, root: Path, plan: dict[str, Any],
                 providers: list[tuple[str, dict[str, Any]]], threads: int | None) -> None:
        def session(rel: str):
            return ort_providers.make_session(Path(root) / rel, providers, threads,
                                              announce=False, memory_arena=False)

        self.stem = session(plan["stem"])
        self.units = [(int(u["half"]), session(u["a"]), session(u["b"])) for u in plan["units"]]
        self.head = session(plan["head"])
        self.taps = [int(t) for t in plan["head_taps"]]
        self.flank = int(plan["reach"])
        self.channels = int(plan["channels"])
        log.info("cone pass: %d staged graphs of %s on %s", 2 + 2 * len(self.units),
                 Path(root).name, self.stem.get_providers()[0])
        if self.flank != 2 * sum(h for h, _a, _b in self.units):
            raise ValueError("stage plan: reach does not match the units' half-widths")

    # -- reference -------------------------------------------------------------------------
    def reference(self, x: np.ndarray) -> ReferenceActivations:
        """Run every stage over one (L, 4) one-hot window, keeping all activations."""
        a = self.stem.run(None, {"x": x[None].astype(np.float32, copy=False)})[0]
        levels: dict[Level, tuple[np.ndarray, int]] = {("a", 0): (a[0, :, 0], 0)}
        reach = 0
        for r, (half, conv_a, conv_b) in enumerate(self.units, start=1):
            t = conv_a.run(None, {"x": a})[0]
            width = a.shape[-1]
            residual = np.ascontiguousarray(a[..., 2 * half:width - 2 * half])
            a = conv_b.run(None, {"t": t, "residual": residual})[0]
            levels[("t", r)] = (t[0, :, 0], reach + half)
            levels[("a", r)] = (a[0, :, 0], reach + 2 * half)
            reach += 2 * half
        length = x.shape[0]
        feeds = {}
        for i, tap in enumerate(self.taps):
            array, tap_reach = levels[("a", tap)]
            lo = self.flank - tap_reach
            feeds[f"tap{i}"] = np.ascontiguousarray(
                array[None, :, None, lo:lo + length - 2 * self.flank])
        probs = self.head.run(None, feeds)[0][0]
        return ReferenceActivations(levels, probs)

    # -- alternative -----------------------------------------------------------------------
    def alternative(self, ref: ReferenceActivations, segments: np.ndarray, offsets: list[int],
                    start: int, delta: int, length: int) -> np.ndarray:
        """Probabilities (B, length - 2 * flank, 3) of B alternative windows of one shape.

        ``segments``: (B, n_alt, 4) one-hot of the inserted bases in model orientation, which
        occupy [start, start + n_alt) of each window of ``length``; ``offsets``: per window,
        the reference-window index of alt index 0 left of the segment (right of it, the
        index is shifted by -``delta`` = len(ref) - len(alt)).
        """
        n_alt = segments.shape[1]
        batch = segments.shape[0]

        def changed(reach: int) -> tuple[int, int]:
            return (max(reach, start - reach), min(length - 1 - reach, start + n_alt - 1 + reach))

        def assemble(level: Level, cone: np.ndarray, cone_span: tuple[int, int],
                     lo: int, hi: int) -> np.ndarray:
            array, reach = ref.levels[level]
            out = np.empty((batch, self.channels, 1, hi - lo + 1), dtype=np.float32)
            c_lo, c_hi = cone_span
            mid_lo, mid_hi = max(lo, c_lo), min(hi, c_hi)
            if mid_lo <= mid_hi:
                out[:, :, 0, mid_lo - lo:mid_hi - lo + 1] = cone[:, :, 0, mid_lo - c_lo:mid_hi - c_lo + 1]
            for part_lo, part_hi, shift in ((lo, min(hi, c_lo - 1), 0),
                                            (max(lo, c_hi + 1), hi, -delta)):
                if part_lo > part_hi:
                    continue
                n = part_hi - part_lo + 1
                for b, offset in enumerate(offsets):
                    i0 = part_lo + offset + shift - reach
                    if i0 < 0 or i0 + n > array.shape[1]:
                        raise ConeError(f"cone needs reference {level} [{i0}, {i0 + n}) "
                                        f"outside the block's [0, {array.shape[1]})")
                    out[b, :, 0, part_lo - lo:part_hi - lo + 1] = array[:, i0:i0 + n]
            return out

        span = changed(0)
        cone = self.stem.run(None, {"x": segments.astype(np.float32, copy=False)})[0]
        tapped: dict[int, tuple[np.ndarray, tuple[int, int]]] = {0: (cone, span)}
        reach = 0
        for r, (half, conv_a, conv_b) in enumerate(self.units, start=1):
            t_span = changed(reach + half)
            x = assemble(("a", r - 1), cone, span, t_span[0] - half, t_span[1] + half)
            t_cone = conv_a.run(None, {"x": x})[0]
            a_span = changed(reach + 2 * half)
            t_in = assemble(("t", r), t_cone, t_span, a_span[0] - half, a_span[1] + half)
            residual = assemble(("a", r - 1), cone, span, a_span[0], a_span[1])
            cone = conv_b.run(None, {"t": t_in, "residual": residual})[0]
            span = a_span
            reach += 2 * half
            if r in self.taps:
                tapped[r] = (cone, span)
        lo, hi = self.flank, length - 1 - self.flank
        feeds = {f"tap{i}": assemble(("a", tap), *tapped[tap], lo, hi)
                 for i, tap in enumerate(self.taps)}
        return self.head.run(None, feeds)[0]


def load_cone(bundle, providers: list[tuple[str, dict[str, Any]]],
              threads: int | None) -> ConeEnsemble | None:
    """The bundle's staged graphs, or None for bundles exported without them."""
    stages = bundle.manifest.get("stages")
    if not stages:
        return None
    return ConeEnsemble(bundle.root, stages["plan"], providers, threads)
