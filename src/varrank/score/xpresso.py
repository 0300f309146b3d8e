"""Xpresso's variant effect: predicted expression of the promoter with the allele minus without.

The model (export/xpresso_export.py) reads 10,500 bp on the transcript's strand with the TSS
at index 7,000: genomic TSS-7,000..TSS+3,499 on the plus strand, the reverse complement of
TSS-3,499..TSS+7,000 on the minus strand (as the upstream's predict_seqs.py --revCom flips
both axes). TSS = the transcript start of the gene model on its strand (``Gene.tx_start`` on
+, ``tx_end`` on -). The 6 half-life features are 0, as the upstream's own locus predictions
feed them: a promoter variant leaves them unchanged, so the delta is the sequence's effect.
Only SNVs and equal-length substitutions are scored (an indel shifts the TSS-anchored frame).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from varrank.score.annotation import Gene
from varrank.score.sequence import ReferenceGenome, one_hot, reverse_complement_onehot

WINDOW, TSS_INDEX = 10500, 7000


def tss(gene: Gene) -> int:
    return gene.tx_start if gene.strand == "+" else gene.tx_end


def promoter_bounds(tss_pos: int, strand: str) -> tuple[int, int]:
    """1-based inclusive genomic span of the model's window for a TSS."""
    if strand == "+":
        return tss_pos - TSS_INDEX, tss_pos + WINDOW - TSS_INDEX - 1
    return tss_pos - (WINDOW - TSS_INDEX - 1), tss_pos + TSS_INDEX


def promoter_onehot(genome: ReferenceGenome, contig: str, tss_pos: int, strand: str,
                    allele: tuple[int, str, str] | None = None) -> np.ndarray | None:
    """(10500, 4) one-hot on the transcript's strand, with ``allele`` (pos, ref, alt) applied;
    None when the window leaves the contig or the allele does not fit it."""
    lo, hi = promoter_bounds(tss_pos, strand)
    if lo < 1 or hi > genome.lengths[contig]:
        return None
    seq = genome.fetch(contig, lo, hi)
    if allele is not None:
        pos, ref, alt = allele
        at = pos - lo
        if len(ref) != len(alt) or at < 0 or at + len(ref) > len(seq) or \
                seq[at:at + len(ref)] != ref.upper():
            return None
        seq = seq[:at] + alt.upper() + seq[at + len(ref):]
    x = one_hot(seq)
    return np.ascontiguousarray(reverse_complement_onehot(x) if strand == "-" else x)


@dataclass(frozen=True)
class XpressoScore:
    gene: str
    tss: int
    ref: float
    alt: float

    @property
    def delta(self) -> float:
        return self.alt - self.ref


def _predict(session, windows: list[np.ndarray], halflife_n: int) -> np.ndarray:
    return session.run(None, {"promoter": np.stack(windows),
                              "halflife": np.zeros((len(windows), halflife_n),
                                                   dtype=np.float32)})[0].ravel()


def score_allele(session, genome: ReferenceGenome, contig: str, gene: Gene, pos: int, ref: str,
                 alt: str, halflife_n: int = 6,
                 references: dict[tuple[str, int], float] | None = None) -> XpressoScore | None:
    """Ref and alt predictions for one allele inside ``gene``'s promoter window, else None.
    ``references`` keeps each promoter's reference prediction across alleles (one run each)."""
    start = tss(gene)
    alt_x = promoter_onehot(genome, contig, start, gene.strand, (pos, ref, alt))
    if alt_x is None:
        return None
    key = (gene.name, start)
    if references is not None and key in references:
        return XpressoScore(gene.name, start, references[key],
                            float(_predict(session, [alt_x], halflife_n)[0]))
    ref_x = promoter_onehot(genome, contig, start, gene.strand)
    y = _predict(session, [ref_x, alt_x], halflife_n)
    if references is not None:
        references[key] = float(y[0])
    return XpressoScore(gene.name, start, float(y[0]), float(y[1]))


COLUMNS = ("xpresso_delta", "xpresso_ref", "xpresso_gene", "xpresso_status")


class PromoterIndex:
    """Genes by contig with their promoter windows, for 'which promoters hold this position'."""

    def __init__(self, genes) -> None:
        self._by_chrom: dict[str, list[tuple[int, int, Gene]]] = {}
        for gene in genes:
            lo, hi = promoter_bounds(tss(gene), gene.strand)
            self._by_chrom.setdefault(gene.chrom, []).append((lo, hi, gene))
        for spans in self._by_chrom.values():
            spans.sort(key=lambda s: s[0])

    def at(self, chrom: str, pos: int) -> list[Gene]:
        spans = self._by_chrom.get(str(chrom).removeprefix("chr"), [])
        # windows are all WINDOW long, so only those starting in (pos - WINDOW, pos] can hold pos
        i = bisect.bisect_right(spans, pos - WINDOW, key=lambda s: s[0])
        found = []
        for lo, hi, gene in spans[i:]:
            if lo > pos:
                break
            if pos <= hi:
                found.append(gene)
        return found


def score_rows(bundle, rows: list[dict], reasons: list[str | None], genome: ReferenceGenome,
               genes, options, ledger, used_providers: dict[str, str]) -> dict[str, list]:
    """The Xpresso columns for every row: for a candidate inside one or more promoter windows,
    the gene whose prediction the allele changes most (signed alt - ref)."""
    from varrank.score import providers

    n = len(rows)
    cols: dict[str, list] = {c: [None] * n for c in COLUMNS}
    chosen = providers.choose_providers(requested=options.provider,
                                        engine_cache=options.engine_cache, fp16=options.fp16,
                                        model=f"{bundle.name}-{bundle.version}")
    session = providers.make_session(bundle.graph, chosen, options.threads)
    used_providers[bundle.name] = session.get_providers()[0]
    halflife_n = int(bundle.input_spec["halflife"]["features"])
    index = PromoterIndex(genes.genes)
    references: dict[tuple[str, int], float] = {}
    status = cols["xpresso_status"]
    for i, row in enumerate(rows):
        status[i] = _status(row, reasons[i], index)
        if status[i] is not None:
            continue
        contig = genome.contig(row["chrom"])
        scores = [s for gene in index.at(row["chrom"], int(row["pos"]))
                  if (s := score_allele(session, genome, contig, gene, int(row["pos"]),
                                        row["ref"], row["alt"], halflife_n, references))
                  is not None]
        if not scores:
            status[i] = "skipped:window_off_contig_or_ref_mismatch"
            continue
        best = max(scores, key=lambda s: abs(s.delta))
        cols["xpresso_delta"][i], cols["xpresso_ref"][i] = best.delta, best.ref
        cols["xpresso_gene"][i], status[i] = best.gene, "scored"
    for value in status:
        ledger.flag(f"xpresso:{value}")
    ledger.notes.append(f"Xpresso {bundle.version}: {status.count('scored')} alleles in promoter "
                        f"windows on {used_providers[bundle.name]}; half-life features 0")
    return cols


def _status(row: dict, reason: str | None, index: PromoterIndex) -> str | None:
    """None for an allele to score, else why not (the ledger counts each)."""
    if reason is not None:
        return f"not_candidate:{reason}"
    if not index.at(row["chrom"], int(row["pos"])):
        return "not_in_promoter_window"
    ref, alt = str(row["ref"]), str(row["alt"])
    if len(ref) != len(alt) or not set(alt.upper()) <= set("ACGT"):
        return "skipped:indel_or_symbolic_not_scored_by_xpresso"
    return None
