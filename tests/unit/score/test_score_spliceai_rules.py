"""The original tool's rules, one case each: indel alignment, masking, ties, blocks."""

from __future__ import annotations

import numpy as np
import pytest

from varrank.score import spliceai
from varrank.score.annotation import Gene
from varrank.score.spliceai import SpliceTask, align_alt, delta_scores

D = 3  # small distance keeps the arrays readable: 7 positions
GENE = Gene("G1", "1", "+", 1, 10_000, (100, 200, 300))


def probs(acceptor, donor) -> np.ndarray:
    acceptor, donor = np.asarray(acceptor, np.float32), np.asarray(donor, np.float32)
    return np.stack([1 - acceptor - donor, acceptor, donor], axis=1).astype(np.float32)


def test_deletion_inserts_zeros_after_the_kept_base() -> None:
    # ref TAA -> T deletes 2 bases: alt output has 7 - 2 = 5 positions
    y_alt = probs([0.1, 0.2, 0.3, 0.4, 0.5], [0, 0, 0, 0, 0])
    out = align_alt(y_alt, ref_len=3, alt_len=1, distance=D)
    assert out.shape == (7, 3)
    np.testing.assert_allclose(out[:, 1], [0.1, 0.2, 0.3, 0.4, 0, 0, 0.5], rtol=1e-6)


def test_insertion_collapses_inserted_bases_to_their_max() -> None:
    # ref T -> TAG inserts 2 bases: alt output has 9 positions, positions 3..5 collapse
    y_alt = probs([0.1, 0.2, 0.3, 0.2, 0.9, 0.1, 0.4, 0.5, 0.6], [0] * 9)
    out = align_alt(y_alt, ref_len=1, alt_len=3, distance=D)
    assert out.shape == (7, 3)
    np.testing.assert_allclose(out[:, 1], [0.1, 0.2, 0.3, 0.9, 0.4, 0.5, 0.6], rtol=1e-6)


def test_snv_unchanged() -> None:
    y = probs([0.1] * 7, [0.2] * 7)
    assert align_alt(y, 1, 1, D) is y


def test_delta_scores_positions_and_rounding() -> None:
    task = SpliceTask(0, "1", 1000, "A", "G", GENE)
    y_ref = probs([0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0], [0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0])
    y_alt = probs([0.0, 0.0, 0.1, 0.0, 0.0, 0.004, 0.0], [0.0, 0.0, 0.0, 0.0, 0.826, 0.0, 0.0])
    s = delta_scores(task, y_ref, y_alt, D, mask=False)
    assert (s.ds_ag, s.dp_ag) == (0.0, 2)      # 0.004 rounds to 0.00, found at +2
    assert (s.ds_al, s.dp_al) == (0.4, -1)
    assert (s.ds_dg, s.dp_dg) == (0.83, 1)
    assert (s.ds_dl, s.dp_dl) == (0.3, -2)
    assert s.max_delta == 0.83
    assert s.info("G") == "G|G1|0.00|0.40|0.83|0.30|2|-1|1|-2"


def test_mask_zeroes_gain_at_annotated_and_loss_at_unannotated_site() -> None:
    gene = Gene("G1", "1", "+", 1, 10_000, (999, 2000))  # boundary 1 bp upstream of the variant
    task = SpliceTask(0, "1", 1000, "A", "G", gene)
    y_ref = probs([0, 0, 0.0, 0, 0, 0, 0], [0, 0, 0.6, 0, 0, 0, 0])
    y_alt = probs([0, 0, 0.7, 0, 0, 0, 0], [0, 0, 0.0, 0, 0, 0, 0])
    # acceptor gain at -1 = the annotated boundary -> masked; donor loss at -1 = annotated ->
    # kept. Without the mask both are reported.
    masked = delta_scores(task, y_ref, y_alt, D, mask=True)
    plain = delta_scores(task, y_ref, y_alt, D, mask=False)
    assert (plain.ds_ag, plain.ds_dl) == (0.7, 0.6)
    assert (masked.ds_ag, masked.dp_ag) == (0.0, -1)
    assert masked.ds_dl == 0.6
    other = Gene("G1", "1", "+", 1, 10_000, (1500,))  # no boundary nearby: loss masked
    masked_loss = delta_scores(SpliceTask(0, "1", 1000, "A", "G", other), y_ref, y_alt, D, True)
    assert masked_loss.ds_dl == 0.0 and masked_loss.ds_ag == 0.7


def test_nearest_boundary_tie_goes_upstream() -> None:
    gene = Gene("G1", "1", "+", 1, 10_000, (990, 1010))
    assert gene.nearest_boundary(1000) == -10
    assert gene.nearest_boundary(1004) == 6


@pytest.mark.parametrize("positions,blocks", [
    ([1000], [(950, 1050)]),
    ([1000, 1100, 30000], [(950, 1150), (29950, 30050)]),
])
def test_reference_blocks_merge_nearby_variants(positions, blocks) -> None:
    assert spliceai._ref_blocks(positions, 50) == blocks


def test_reference_blocks_are_bounded() -> None:
    blocks = spliceai._ref_blocks(list(range(1000, 100_000, 1000)), 50)
    assert all(hi - lo < spliceai.MAX_BLOCK for lo, hi in blocks)
    covered = {p for p in range(1000, 100_000, 1000)
               if any(lo <= p - 50 and p + 50 <= hi for lo, hi in blocks)}
    assert len(covered) == 99
