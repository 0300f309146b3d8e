"""Property tests for the index and block planning the scorer relies on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from varrank.score import spliceai
from varrank.score.annotation import Gene, SpliceAnnotation

spans = st.tuples(st.integers(1, 5000), st.integers(0, 3000))


@settings(max_examples=60, deadline=None)
@given(st.lists(spans, min_size=1, max_size=15), st.lists(st.integers(1, 9000), max_size=30))
def test_genes_at_equals_brute_force_in_file_order(gene_spans, positions) -> None:
    genes = [Gene(f"G{i}", "1", "+", start, start + length, (start,))
             for i, (start, length) in enumerate(gene_spans)]
    index = SpliceAnnotation(genes, "generated")
    for pos in positions:
        expected = [g for g in genes if g.tx_start <= pos <= g.tx_end]
        assert index.genes_at("chr1", pos) == expected
        assert index.genes_at("2", pos) == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(6000, 400_000), min_size=1, max_size=60), st.integers(0, 200))
def test_reference_blocks_cover_every_window_and_stay_bounded(positions, distance) -> None:
    blocks = spliceai._ref_blocks(positions, distance)
    for pos in positions:
        assert any(lo <= pos - distance and pos + distance <= hi for lo, hi in blocks)
    assert all(hi - lo < spliceai.MAX_BLOCK + 2 * distance + 1 for lo, hi in blocks)
    assert all(b[1] < c[0] for b, c in zip(blocks, blocks[1:]))  # sorted, disjoint
