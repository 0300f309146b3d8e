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



def test_bundle_without_gnomad_says_not_looked_up_instead_of_absent():
    """The demo bundle has 1000 Genomes but no gnomAD: "absent from gnomAD" would read as PM2
    evidence, so the finding says the source was not there and keeps the 1000G frequency."""
    from varrank.report.build import NO_GNOMAD, stages_present
    import pyarrow as pa

    metadata = {"stages": [{"stage": "ingest"}, {"stage": "annotate",
                                                 "source_kinds": {"tgp": "popfreq",
                                                                  "clinvar": "clinvar"}}]}
    stages = stages_present(pa.table({"chrom": ["chr17"]}), metadata)
    assert NO_GNOMAD in stages
    row = {"chrom": "chr17", "pos": 43044346, "ref": "C", "alt": "T", "variant_key": "k",
           "max_pop_af": 0.498, "max_pop_af_source": "tgp"}
    finding = build_finding(row, stages)
    assert finding["gnomad"] == {"not_in_bundle": True, "max_pop_af": 0.498,
                                 "max_pop_af_source": "tgp"}
    with_gnomad = {"stages": [{"stage": "annotate", "source_kinds": {"g": "gnomad"}}]}
    assert NO_GNOMAD not in stages_present(pa.table({"chrom": ["1"]}), with_gnomad)
    assert NO_GNOMAD not in stages_present(pa.table({"chrom": ["1"]}), {"stages": [
        {"stage": "annotate"}]})  # older tables: no kinds recorded, behaviour unchanged
