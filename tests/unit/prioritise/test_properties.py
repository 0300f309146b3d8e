"""Invariants of the stage over arbitrary subsets of a real table (Hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varrank.prioritise.stage import PrioritiseOptions, load_resources, prioritise_table

from .conftest import TRIO_META


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ranks_are_a_permutation_and_nothing_vanishes(data, trio_table, hpo_subset_dir,
                                                      shared_data):
    n = trio_table.num_rows
    picks = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=60)))
    table = trio_table.take(picks)
    use_ped = data.draw(st.booleans())
    hpo = data.draw(st.sampled_from([[], ["HP:0001250"], ["HP:0002110", "HP:0001738"]]))
    options = PrioritiseOptions(
        hpo=hpo, hpo_dir=hpo_subset_dir,
        ped=shared_data / "variants/patients/slivar_ashk-trio.ped" if use_ped else None)
    out, ledger, _ = prioritise_table(table, TRIO_META, options, load_resources(options))
    rows = out.to_pylist()
    assert len(rows) == len(picks) and ledger.balanced
    ranks = sorted(r["rank"] for r in rows if r["rank"] is not None)
    assert ranks == list(range(1, len(ranks) + 1))
    for r in rows:
        assert (r["rank"] is None) == (r["excluded_reason"] is not None)
        items = json.loads(r["evidence_json"])
        assert sum(1 for i in items if i["kind"] == "acmg") == 11
        if r["rank"] is not None:
            assert 0.0 <= r["gene_score"] <= 1.0 and 0.0 <= r["variant_score"] <= 1.0
    assert sum(ledger.flagged.values()) == len(rows) - len(ranks)
    # a better gene never ranks below a worse one
    ranked = sorted((r for r in rows if r["rank"]), key=lambda r: r["rank"])
    assert all(a["gene_score"] >= b["gene_score"] for a, b in zip(ranked, ranked[1:]))
