"""benchmarks/gpu_bench.py's pure parts: the saturation allele set and the fp16-vs-fp32
comparison. The benchmark itself needs a GPU (it runs on CPU too, but CI does not run it)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCH))

import gpu_bench as gb  # noqa: E402


def test_saturation_alleles_are_real_reference_snvs_inside_genes(shared_data):
    alleles = gb.saturation_alleles(shared_data, 60)
    assert len(alleles) == 60 and len(set(alleles)) == 60
    path, chrom, start = gb.helpers.GRCH37_CHR17
    sequence = gb.helpers.read_slice(shared_data / path)
    assert all(c == chrom and sequence[p - start].upper() == ref and alt != ref
               and alt in "ACGT" for c, p, ref, alt in alleles)
    assert gb.saturation_alleles(shared_data, 60) == alleles  # seeded


def _row(ds: float, dp: int, gain: float | None = None) -> dict:
    row = {c: 0.0 for c in gb.SPLICEAI_DS} | {c: 0 for c in gb.SPLICEAI_DP}
    row |= {"spliceai_ds_ag": ds, "spliceai_dp_ag": dp, "spliceai_max": ds,
            "pangolin_gain": gain, "pangolin_loss": -0.0 if gain is not None else None,
            "pangolin_gain_pos": 1, "pangolin_loss_pos": 2}
    return row


def test_agreement_measures_the_drift_a_report_would_see():
    reference = {("17", 1, "A", "G"): _row(0.19, 5, 0.3), ("17", 2, "C", "T"): _row(0.5, 7, 0.1)}
    fp16 = {("17", 1, "A", "G"): _row(0.21, 5, 0.31), ("17", 2, "C", "T"): _row(0.5, 8, 0.1)}
    got = gb.agreement(fp16, reference)
    assert got["alleles"] == 2
    assert abs(got["spliceai_max_abs_diff"] - 0.02) < 1e-9
    assert got["spliceai_same_positions"] == 0.5
    assert got["spliceai_same_pp3_bp4_reading"] == 0.5  # 0.19 "between" became PP3 at 0.21
    assert abs(got["pangolin_max_abs_diff"] - 0.01) < 1e-9
    assert got["pangolin_same_positions"] == 1.0
