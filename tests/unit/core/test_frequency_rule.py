"""One population-AF rule for SCORE's candidates, BA1/BS1/PM2 and the report's findings."""

import pyarrow as pa

from varrank.core.frequency import filtering_af, filtering_af_of_table
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.acmg.frequency import population_af
from varrank.report.findings import build_finding
from varrank.score.candidates import CandidatePolicy, select

ROWS = [  # (grpmax, global, max over other sources): the rule picks in this order
    dict(gnomad_grpmax_af=0.02, gnomad_af=0.001, max_pop_af=0.3),
    dict(gnomad_grpmax_af=None, gnomad_af=0.005, max_pop_af=0.3),
    dict(gnomad_grpmax_af=None, gnomad_af=None, max_pop_af=0.03),
    dict(gnomad_grpmax_af=float("nan"), gnomad_af=None, max_pop_af=None),
]
EXPECTED = [(0.02, "gnomad_grpmax_af"), (0.005, "gnomad_af"), (0.03, "max_pop_af"), (None, None)]


class _EveryGene:
    def genes_at(self, chrom, pos):
        return ["G"]


def _table():
    base = [dict(chrom="chr1", pos=100 + i, ref="A", alt="G", variant_key=f"k{i}", **r)
            for i, r in enumerate(ROWS)]
    return pa.Table.from_pylist(base)


def test_every_stage_reads_the_same_filtering_af():
    table = _table()
    assert [filtering_af(r.get) for r in table.to_pylist()] == EXPECTED
    assert filtering_af_of_table(table) == [af for af, _ in EXPECTED]
    assert [population_af(Row(r)) for r in table.to_pylist()] == EXPECTED
    reasons = select(table, _EveryGene(), CandidatePolicy(max_af=0.01))
    assert reasons == ["population_af_above_0.01", None, "population_af_above_0.01", None]
    findings = [build_finding(r, {"annotate", "ingest"}) for r in table.to_pylist()]
    assert [(f["filtering_af"]["af"], f["filtering_af"]["source"]) for f in findings] == EXPECTED


def test_absent_columns_mean_unknown_not_zero():
    table = pa.table({"chrom": ["1"], "pos": [5], "ref": ["A"], "alt": ["T"]})
    assert filtering_af_of_table(table) == [None]
    assert select(table, _EveryGene(), CandidatePolicy(max_af=0.0)) == [None]
