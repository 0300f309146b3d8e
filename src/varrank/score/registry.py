"""Scorers for bundle kinds other than SpliceAI: sequence-to-function models and DNA LMs.

Both kinds are defined by their manifest (docs/models.md), so a lab plugs in its own exported
weights without code changes:

* ``seq2func`` (Enformer/Borzoi-style): one-hot window centred on the variant -> predicted
  tracks (batch, bins, tracks). Score = change alt - ref summed over the central bins, per
  track; the reported value is the track with the largest absolute change (signed).
  Linder et al. 2025 (Borzoi) and Avsec et al. 2021 (Enformer) score variants this way.
* ``dnalm`` (Evo 2 / GPN / DNABERT-2-style): token window -> logits (batch, length, vocab).
  ``causal_llr``: log-likelihood of the alt window minus the ref window under next-token
  prediction (Brixi et al. 2025, Evo 2). ``masked_llr``: one pass with the variant base
  masked, log p(alt) - log p(ref) at that position (Benegas et al. 2023, GPN).

Only alleles that keep the window length (SNVs, MNVs) are scored by these rules; indels are
left null with a ledger reason instead of being forced through an ill-defined comparison.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from varrank.core.errors import ResourceError
from varrank.score.bundle import ModelBundle
from varrank.score.sequence import ReferenceGenome, one_hot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Allele:
    row: int
    contig: str
    pos: int
    ref: str
    alt: str


def check_input_shape(bundle: ModelBundle, session: ort.InferenceSession) -> None:
    """Refuse a graph whose input does not match what the manifest promises."""
    spec = bundle.input_spec
    inputs = session.get_inputs()
    name = spec.get("name", inputs[0].name)
    match = [i for i in inputs if i.name == name]
    if not match:
        raise ResourceError(f"model input {name!r} named in the manifest is not in the graph "
                            f"(graph inputs: {', '.join(i.name for i in inputs)})",
                            path=bundle.graph)
    shape = match[0].shape
    encoding = spec.get("encoding")
    want_rank = 3 if encoding == "one_hot" else 2
    problems = []
    if len(shape) != want_rank:
        problems.append(f"rank {len(shape)} (expected {want_rank} for {encoding} input)")
    else:
        if encoding == "one_hot" and isinstance(shape[2], int) and shape[2] != 4:
            problems.append(f"{shape[2]} channels (expected 4, ACGT)")
        length = spec.get("length")
        if length and isinstance(shape[1], int) and shape[1] != length:
            problems.append(f"length {shape[1]} (manifest says {length})")
    if problems:
        raise ResourceError(f"model input {name!r} has unexpected shape {shape}: "
                            + "; ".join(problems), path=bundle.graph,
                            hint="the manifest and the graph disagree; re-export the bundle")


def open_splice_session(bundle: ModelBundle, options, used_providers: dict[str, str]
                        ) -> tuple[ort.InferenceSession, list[tuple[str, dict[str, Any]]]]:
    """Session for a SpliceAI-shaped bundle (10,000 context, variable length): providers with
    a TensorRT shape profile over its input lengths, input checked against the manifest, and
    the provider that took the graph recorded under the bundle's name."""
    from varrank.score import providers, spliceai

    batch = max(options.batch_size or 0, 64)
    chosen = providers.choose_providers(
        requested=options.provider, engine_cache=options.engine_cache, fp16=options.fp16,
        trt_profile=spliceai.trt_profile(bundle.input_spec.get("name", "x"), batch),
        model=f"{bundle.name}-{bundle.version}")
    session = providers.make_session(bundle.graph, chosen, options.threads)
    check_input_shape(bundle, session)
    used_providers[bundle.name] = session.get_providers()[0]
    return session, chosen


def _window(genome: ReferenceGenome, allele: Allele, length: int) -> tuple[str, int] | None:
    """Reference window of ``length`` with the variant at index length//2; None off-contig."""
    start = allele.pos - length // 2
    end = start + length - 1
    if start < 1 or end > genome.lengths[allele.contig]:
        return None
    return genome.fetch(allele.contig, start, end), length // 2


def _substitution_window(genome: ReferenceGenome, allele: Allele,
                         length: int) -> tuple[str, int, str | None]:
    """(window, centre, None) for an allele both generic kinds can score, else ("", 0, reason):
    both compare equal-length ref/alt windows, so length-changing alleles are skipped."""
    if len(allele.ref) != len(allele.alt):
        return "", 0, "length_changing_allele"
    window = _window(genome, allele, length)
    if window is None:
        return "", 0, "near_contig_end"
    return window[0], window[1], None


def _swap(seq: str, centre: int, ref: str, alt: str) -> str:
    return seq[:centre] + alt + seq[centre + len(ref):]


class Seq2FuncScorer:
    def __init__(self, bundle: ModelBundle, session: ort.InferenceSession) -> None:
        check_input_shape(bundle, session)
        self.bundle, self.session = bundle, session
        self.input = bundle.input_spec.get("name", session.get_inputs()[0].name)
        self.length = int(bundle.input_spec["length"])
        score = bundle.score_spec
        self.output = score.get("output", session.get_outputs()[0].name)
        self.center_bins = score.get("center_bins")
        self.track_names = bundle.manifest["outputs"].get(self.output, {}).get("names")

    def score(self, genome: ReferenceGenome, allele: Allele) -> tuple[dict | None, str | None]:
        seq, centre, reason = _substitution_window(genome, allele, self.length)
        if reason:
            return None, reason
        x = np.stack([one_hot(seq), one_hot(_swap(seq, centre, allele.ref, allele.alt))])
        y = self.session.run([self.output], {self.input: x.astype(np.float32)})[0]
        if y.ndim != 3:
            raise ResourceError(f"seq2func output has shape {y.shape}, expected "
                                "(batch, bins, tracks)", path=self.bundle.graph)
        bins = y.shape[1]
        if self.center_bins:
            lo = max(bins // 2 - int(self.center_bins) // 2, 0)
            y = y[:, lo:lo + int(self.center_bins)]
        delta = (y[1].astype(np.float64) - y[0].astype(np.float64)).sum(axis=0)
        best = int(np.argmax(np.abs(delta)))
        name = self.track_names[best] if self.track_names else str(best)
        return {"score": round(float(delta[best]), 6), "track": name}, None


class DnaLmScorer:
    def __init__(self, bundle: ModelBundle, session: ort.InferenceSession) -> None:
        check_input_shape(bundle, session)
        self.bundle, self.session = bundle, session
        spec = bundle.input_spec
        self.input = spec.get("name", session.get_inputs()[0].name)
        self.length = int(spec["length"])
        self.vocab: dict[str, int] = spec["vocab"]
        self.rule = bundle.score_spec["rule"]
        if self.rule not in ("causal_llr", "masked_llr"):
            raise ResourceError(f"unknown dnalm score rule {self.rule!r}",
                                path=bundle.root / "manifest.json",
                                hint="use causal_llr or masked_llr")
        if self.rule == "masked_llr" and "mask" not in self.vocab:
            raise ResourceError("masked_llr needs a 'mask' token in input.vocab",
                                path=bundle.root / "manifest.json")
        self.output = bundle.score_spec.get("output", session.get_outputs()[0].name)

    def _tokens(self, seq: str) -> np.ndarray:
        unknown = self.vocab.get("N", 0)
        return np.array([self.vocab.get(base, unknown) for base in seq], dtype=np.int64)

    def _logp(self, tokens: np.ndarray) -> np.ndarray:
        logits = self.session.run([self.output], {self.input: tokens})[0].astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))

    def score(self, genome: ReferenceGenome, allele: Allele) -> tuple[dict | None, str | None]:
        seq, centre, reason = _substitution_window(genome, allele, self.length)
        if reason:
            return None, reason
        ref_tok = self._tokens(seq)
        alt_tok = self._tokens(_swap(seq, centre, allele.ref, allele.alt))
        if self.rule == "causal_llr":
            logp = self._logp(np.stack([ref_tok, alt_tok]))
            idx = np.arange(1, self.length)
            ll_ref = logp[0, idx - 1, ref_tok[1:]].sum()
            ll_alt = logp[1, idx - 1, alt_tok[1:]].sum()
            return {"score": round(float(ll_alt - ll_ref), 6), "rule": self.rule}, None
        masked = ref_tok.copy()
        span = range(centre, centre + len(allele.ref))
        masked[list(span)] = self.vocab["mask"]
        logp = self._logp(masked[None, :])[0]
        llr = sum(logp[centre + k, alt_tok[centre + k]] - logp[centre + k, ref_tok[centre + k]]
                  for k in range(len(allele.ref)))
        return {"score": round(float(llr), 6), "rule": self.rule}, None


def make_scorer(bundle: ModelBundle, session: ort.InferenceSession):
    if bundle.kind == "seq2func":
        return Seq2FuncScorer(bundle, session)
    if bundle.kind == "dnalm":
        return DnaLmScorer(bundle, session)
    raise ResourceError(f"no generic scorer for kind {bundle.kind!r}", path=bundle.root)


def scores_json(values: dict[str, Any]) -> str | None:
    return json.dumps(values, sort_keys=True) if values else None
