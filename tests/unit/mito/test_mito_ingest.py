"""INGEST on real mtDNA calls: the 1000 Genomes HG00097 chrMT VCF (quoted INFO, haploid GT)
and heteroplasmy from FORMAT/AF or AD, with the bad levels flagged and nothing lost."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from varrank.core.ledger import Ledger
from varrank.ingest import run_ingest
from varrank.ingest.heteroplasmy import (FLAG_AD_OVER_DP, FLAG_AF_AD_DISAGREE,
                                         FLAG_OUT_OF_RANGE, level)
from varrank.testdata.mito import HG00097, Spike, spiked_vcf


def _ingest(vcf, fasta, out):
    paths = run_ingest(vcf=vcf, patient="HG00097", out=out, fasta=fasta)
    return pq.read_table(paths.table).to_pylist(), Ledger.read(paths.ledger)


def test_real_hg00097_chrmt_quoted_info_and_haploid_gt(tmp_path, shared_data, mt_fasta):
    rows, ledger = _ingest(shared_data / HG00097, mt_fasta, tmp_path)
    assert ledger.records_in == 2834 and ledger.balanced
    assert "ref_mismatch" not in ledger.dropped
    # every line's INFO is wrapped in quotes: read through an unquoted copy, said in a note
    assert any("2834 record(s) had their INFO column wrapped in double quotes" in n
               for n in ledger.notes)
    assert not list(tmp_path.glob(".*unquoted*"))  # the copy is removed
    # haploid GT: 40 records with '1' and one with '2' (a split multi-allelic), hemizygous
    assert len(rows) == 41 and {r["zygosity"] for r in rows} == {"hemi"}
    assert {r["chrom"] for r in rows} == {"MT"}
    assert {(r["heteroplasmy"], r["heteroplasmy_source"], r["plasmy"]) for r in rows} == {
        (None, "GT", "homoplasmic")}
    assert ledger.dropped["proband_no_call"] == 2  # GT '.' at 5744 and 5746
    assert ledger.examples["proband_no_call"] == ["MT:5744:G:A (.)", "MT:5746:G:A (.)"]


def test_spiked_heteroplasmy_from_format_af(tmp_path, shared_data, mt_fasta):
    vcf = spiked_vcf(shared_data, tmp_path, (Spike(),))
    rows, ledger = _ingest(vcf, mt_fasta, tmp_path / "out")
    spike = next(r for r in rows if r["pos"] == 3243)
    assert (spike["ref"], spike["alt"], spike["gt"], spike["zygosity"]) == ("A", "G", "0/1", "het")
    assert spike["heteroplasmy"] == 0.4 and spike["heteroplasmy_source"] == "FORMAT/AF"
    assert spike["plasmy"] == "heteroplasmic" and spike["heteroplasmy_flag"] is None
    assert (spike["ad_ref"], spike["ad_alt"]) == (600, 400)
    assert len(rows) == 42 and not ledger.flagged


def test_af_outside_0_1_is_flagged_ad_used_and_nothing_lost(tmp_path, shared_data, mt_fasta):
    """FORMAT/AF 1.3 is not a level: flagged and counted, AD stands in; every other row
    (and the row itself) is kept."""
    bad = Spike(pos=3243, heteroplasmy=0.4, af_text="1.3")
    good = Spike(pos=8344, ref="A", alt="G", heteroplasmy=0.7)
    vcf = spiked_vcf(shared_data, tmp_path, (bad, good), name="af_out_of_range.vcf")
    rows, ledger = _ingest(vcf, mt_fasta, tmp_path / "out")
    assert len(rows) == 43 and ledger.balanced
    by_pos = {r["pos"]: r for r in rows}
    assert by_pos[3243]["heteroplasmy"] == 0.4 and by_pos[3243]["heteroplasmy_source"] == "AD"
    assert "FORMAT/AF=1.3 is outside 0-1" in by_pos[3243]["heteroplasmy_flag"]
    assert ledger.flagged == {FLAG_OUT_OF_RANGE: 1}
    assert ledger.examples[FLAG_OUT_OF_RANGE] == ["MT-3243-A-G"]
    assert by_pos[8344]["heteroplasmy"] == 0.7 and by_pos[8344]["heteroplasmy_flag"] is None


@pytest.mark.parametrize("given, ad, dp, expected", [
    ({"AF": 0.25}, (75, 25), 100, (0.25, "FORMAT/AF", "heteroplasmic", ())),
    ({"AF": None, "HF": 0.97}, (None, None), None, (0.97, "FORMAT/HF", "homoplasmic", ())),
    ({}, (10, 30), 40, (0.75, "AD", "heteroplasmic", ())),
    ({"AF": -0.2}, (None, None), None, (None, None, None, (FLAG_OUT_OF_RANGE,))),
    ({"AF": 1.3}, (50, 50), 100, (0.5, "AD", "heteroplasmic", (FLAG_OUT_OF_RANGE,))),
    ({"AF": 0.9}, (90, 10), 100, (0.9, "FORMAT/AF", "heteroplasmic", (FLAG_AF_AD_DISAGREE,))),
    ({}, (60, 60), 80, (0.5, "AD", "heteroplasmic", (FLAG_AD_OVER_DP,))),
])
def test_level_rules(given, ad, dp, expected):
    got = level(given, ad[0], ad[1], dp, "0/1")
    assert (got.fraction, got.source, got.plasmy, tuple(r for r, _ in got.flags)) == expected


def test_haploid_call_without_counts_is_homoplasmic_level_unknown():
    assert level({}, None, None, None, "1").plasmy == "homoplasmic"
    assert level({}, None, None, None, "1").fraction is None
    assert level({}, None, None, None, "0/1").plasmy is None
