"""Pangolin's scoring rules on hand-built tracks, and its gene and allele rules on real data.

No model runs here: the tracks are arrays built so that each rule of the original CLI
(indel alignment, per-tissue mean, gain/loss, masking, gene membership) has one answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from varrank.score.annotation import Gene, SpliceAnnotation
from varrank.score.pangolin_rules import (align_alt, gene_score, parse_info, same_scores,
                                          tissue_extremes)
from varrank.score.pangolin_stage import genes_at
from varrank.score.sequence import ReferenceGenome
from varrank.score.validate import Limits, check_pangolin_allele

D = 5
GFF3 = "annotation/BRCA1_gencode_v19.GRCh37.gff3"
APPRIS = ("appris_principal", "appris_candidate", "appris_candidate_longest")


def tracks(length: int, value: float = 0.1) -> np.ndarray:
    return np.full((length, 12), value, dtype=np.float32)


def test_deletion_gets_zeros_after_the_first_d_plus_one_positions() -> None:
    alt = np.arange(2 * D + 1, dtype=np.float32)[:, None].repeat(12, axis=1)
    aligned = align_alt(alt, ref_len=4, alt_len=1, distance=D)
    assert aligned.shape == (2 * D + 4, 12) and aligned.dtype == np.float64
    assert aligned[:D + 1, 0].tolist() == list(range(D + 1))
    assert aligned[D + 1:D + 4, 0].tolist() == [0, 0, 0]
    assert aligned[D + 4:, 0].tolist() == list(range(D + 1, 2 * D + 1))


def test_insertion_collapses_inserted_positions_to_their_maximum() -> None:
    alt = np.zeros((2 * D + 3, 12), dtype=np.float32)
    alt[D:D + 3, 0] = [0.2, 0.9, 0.4]
    aligned = align_alt(alt, ref_len=1, alt_len=3, distance=D)
    assert aligned.shape == (2 * D + 1, 12) and aligned.dtype == np.float32
    assert aligned[D, 0] == pytest.approx(0.9) and aligned[D + 1, 0] == 0


def test_mnv_keeps_its_length() -> None:
    alt = tracks(2 * D + 3)
    assert align_alt(alt, 3, 3, D) is alt


def test_gain_and_loss_are_extremes_of_the_tissue_means() -> None:
    ref = tracks(2 * D + 1)
    alt = ref.copy()
    alt[2, 0:3] = [0.4, 0.4, 0.7]  # heart replicates: mean +0.4
    alt[2, 3:6] = 0.2  # liver: +0.1
    alt[7, 6:9] = [0.0, 0.0, 0.1]  # brain: -0.0667
    gain, loss = tissue_extremes(ref, alt, 1, 1, D)
    assert gain[2] == pytest.approx(0.4) and loss[2] == pytest.approx(0.0)
    assert loss[7] == pytest.approx(-0.2 / 3, abs=1e-6)


def gene(boundaries: tuple[int, ...] = ()) -> Gene:
    return Gene("G1", "17", "-", 100, 200, boundaries)


def test_masking_zeroes_gains_at_annotated_and_losses_at_other_sites() -> None:
    pos = 150
    gain = np.array([0.0] * (2 * D + 1))
    loss = np.array([0.0] * (2 * D + 1))
    gain[[1, 8]] = [0.6, 0.3]  # 1 is annotated (pos - D + 1 = 146)
    loss[[3, 9]] = [-0.5, -0.2]  # 9 is annotated (pos - D + 9 = 154)
    masked = gene_score(gene((146, 154)), pos, gain, loss, D, mask=True)
    assert (masked.gain, masked.gain_pos, masked.loss, masked.loss_pos) == (0.3, 3, -0.2, 4)
    raw = gene_score(gene((146, 154)), pos, gain, loss, D, mask=False)
    assert (raw.gain, raw.gain_pos, raw.loss, raw.loss_pos) == (0.6, -4, -0.5, -2)
    assert raw.info() == "G1|-4:0.6|-2:-0.5|Warnings:" and raw.max_delta == 0.6
    assert parse_info(raw.info() + "," + masked.info()) == {"G1": masked}  # last entry wins
    upstream = parse_info("G1|-4:0.6000000238418579|-2:-0.49000000953674316|Warnings:")["G1"]
    assert same_scores(upstream, raw) and not same_scores(upstream, masked)
    assert gain[1] == 0.6  # the caller's arrays are not masked in place


def test_gene_without_sites_loses_every_loss_and_says_so() -> None:
    loss = np.full(2 * D + 1, -0.3)
    score = gene_score(gene(), 150, np.zeros(2 * D + 1), loss, D, mask=True)
    assert score.loss == 0.0 and score.loss_pos == -D
    assert score.warnings == "NoAnnotatedSitesToMaskForThisGene"


def test_a_variant_on_a_genes_first_base_is_outside_it() -> None:
    """The original's gffutils query is region (pos-1, pos-1) and then start <= pos <= end."""
    ann = SpliceAnnotation([Gene("G1", "17", "+", 100, 200, (100, 200))], "test")
    assert genes_at(ann, "17", 100) == []
    assert [g.name for g in genes_at(ann, "chr17", 101)] == ["G1"]
    assert [g.name for g in genes_at(ann, "17", 200)] == ["G1"]


def test_gencode_genes_follow_create_db_filter(shared_data: Path,
                                              grch37_fasta: Path) -> None:
    genome = ReferenceGenome(grch37_fasta)
    path = shared_data / GFF3
    tagged = SpliceAnnotation.from_gencode(path, genome.lengths, genome.contig_names, APPRIS)
    every = SpliceAnnotation.from_gencode(path, genome.lengths, genome.contig_names, None)
    canonical = SpliceAnnotation.from_gencode(path, genome.lengths, genome.contig_names,
                                              ("Ensembl_canonical",))
    brca1 = {g.name: g for g in tagged.genes}["ENSG00000012048.15"]
    assert (brca1.strand, brca1.tx_start, brca1.tx_end) == ("-", 41196312, 41277500)
    assert 41276132 in brca1.boundaries  # exon 2 acceptor of the principal transcript
    all_sites = {g.name: g for g in every.genes}["ENSG00000012048.15"].boundaries
    assert set(brca1.boundaries) < set(all_sites)
    assert all(not g.boundaries for g in canonical.genes)  # v19 predates the tag
    genome.close()


@pytest.mark.parametrize("allele,reason", [
    (("17", 41276135, "TTAA", "GTCT"), None),  # MNV: scored by Pangolin (not by SpliceAI)
    (("17", 41276135, "TTAA", "GT"), "complex_indel_not_scored_by_pangolin"),
    (("17", 41276135, "T", "TAC"), None),
    (("17", 41276135, None, "C"), "ref_mismatch_with_fasta"),  # REF: a base not in the FASTA
    (("17", 41276135, "T", "<DEL>"), "symbolic_or_missing_allele"),
    (("17", 41295000, None, "G"), "near_contig_end"),  # REF from the FASTA; slice ends 41.3M
])
def test_pangolin_allele_rules(grch37_fasta: Path, allele, reason) -> None:
    genome = ReferenceGenome(grch37_fasta)
    chrom, pos, ref, alt = allele
    base = genome.fetch("17", pos, pos)
    if ref is None:
        ref = base if reason == "near_contig_end" else ("G" if base != "G" else "C")
    assert check_pangolin_allele(genome, chrom, pos, ref, alt, Limits(distance=50))[1] == reason
    genome.close()


def test_a_deletion_window_reaches_past_its_ref(grch37_fasta: Path) -> None:
    """The window is 5,000 + D bases beyond the END of REF: a long deletion near the
    contig end runs off where its first base alone would not."""
    genome = ReferenceGenome(grch37_fasta)
    end = genome.lengths["17"]
    pos = end - 5050 - 40
    ref = genome.fetch("17", pos, pos + 60)
    limits = Limits(distance=50)
    assert check_pangolin_allele(genome, "17", pos, ref[0], "T" if ref[0] != "T" else "C",
                                 limits)[1] is None
    assert check_pangolin_allele(genome, "17", pos, ref, ref[0], limits)[1] == "near_contig_end"
    assert check_pangolin_allele(genome, "17", pos - 100, genome.fetch("17", pos - 100, pos),
                                 "A", limits)[1] == "ref_longer_than_100bp"
    genome.close()
