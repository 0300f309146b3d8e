"""A variant absent from gnomAD but present in another frequency source (1000 Genomes in the
demo bundle) still shows that frequency: 'absent from gnomAD' must not hide a common allele."""

from __future__ import annotations

from varrank.report.findings import build_finding


def test_absent_from_gnomad_keeps_other_population_af():
    row = {"chrom": "chr17", "pos": 43044346, "ref": "C", "alt": "T", "variant_key": "k",
           "max_pop_af": 0.498, "max_pop_af_source": "tgp"}
    finding = build_finding(row, {"ingest", "annotate"})
    assert finding["gnomad"] == {"absent": True, "release": None, "max_pop_af": 0.498,
                                 "max_pop_af_source": "tgp"}

