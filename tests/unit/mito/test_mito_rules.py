"""McCormick 2020 mtDNA criteria, the MITOMAP assertion, maternal inheritance and the
heteroplasmy factor, on rows built for exactly what each test asserts."""

from __future__ import annotations

import json

import pytest

from varrank.core.pedigree import read_ped
from varrank.prioritise import acmg
from varrank.prioritise.acmg import RuleContext
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.acmg.mito import ba1, bp4, bs1, mitomap_assertion, pm2, pp3
from varrank.prioritise.inheritance.mito import heteroplasmy_factor
from varrank.prioritise.inheritance.modes import family_genotypes, variant_modes
from varrank.prioritise.rank import RankWeights

CTX = RuleContext(mt_frequency_data=True, mt_predictor_data=True, mitomap_data=True)


def _row(**values):
    return Row({"chrom": "MT", "pos": 3243, "ref": "A", "alt": "G", **values})


@pytest.mark.parametrize("af_hom, codes", [
    (0.02, {"BA1"}), (0.01, {"BA1"}), (0.0099, {"BS1"}), (0.005, {"BS1"}),
    (0.004, set()), (0.00002, set()), (0.0000199, {"PM2"}), (None, {"PM2"}),
])
def test_frequency_bands(af_hom, codes):
    row = _row(gnomad_mt_af_hom=af_hom, helixmtdb_af_hom=None, gnomad_mt_af_het=0.3)
    got = {e.code for e in (ba1(row, CTX), bs1(row, CTX), pm2(row, CTX)) if e.met}
    assert got == codes


def test_highest_homoplasmic_af_of_both_sources_decides_and_het_is_shown():
    row = _row(gnomad_mt_af_hom=0.001, helixmtdb_af_hom=0.012, gnomad_mt_af_het=0.2)
    item = ba1(row, CTX)
    assert item.met and "HelixMTdb AF_hom=0.012" in item.reason and "AF_het=0.2" in item.reason
    assert pm2(row, CTX).strength == "supporting" or not pm2(row, CTX).met


def test_not_evaluated_without_the_sources():
    bare = RuleContext()
    row = _row(gnomad_mt_af_hom=None, mitotip_score=None)
    assert {e.status for e in (ba1(row, bare), pm2(row, bare), pp3(row, bare),
                               mitomap_assertion(row, bare))} == {"not_evaluated"}


@pytest.mark.parametrize("values, pp3_met, bp4_met", [
    ({"mitotip_score": 16.25, "mitotip_quartile": "Q1"}, True, False),
    ({"mitotip_score": 13.35, "mitotip_quartile": "Q2"}, False, False),
    ({"mitotip_score": 8.43, "mitotip_quartile": "Q4"}, False, True),
    ({"apogee_score": 0.54, "apogee_class": "Pathogenic"}, True, False),
    ({"apogee_score": 0.5, "apogee_class": "Neutral"}, False, True),
])
def test_predictors(values, pp3_met, bp4_met):
    row = _row(**values)
    assert (pp3(row, CTX).met, bp4(row, CTX).met) == (pp3_met, bp4_met)


def test_rrna_variant_has_no_calibrated_predictor():
    assert pp3(_row(pos=1555), CTX).status == "not_evaluated"


def test_mitomap_confirmed_is_an_assertion_not_an_acmg_code():
    row = _row(mitomap_status="Cfrm", mitomap_disease="MELAS", gnomad_mt_af_hom=0.0)
    items = {e.code: e for e in acmg.evaluate(row, CTX)}
    assert items["MITOMAP"].met and "MELAS" in items["MITOMAP"].reason
    assert acmg.combine.acmg_points(items.values(), CTX.thresholds) == 1  # PM2_Supporting only
    assert not mitomap_assertion(_row(mitomap_status="Reported"), CTX).met


def test_nuclear_rows_keep_the_nuclear_rules():
    items = {e.code: e for e in acmg.evaluate({"chrom": "1", "pos": 5, "ref": "A", "alt": "G",
                                               "gnomad_mt_af_hom": 0.5}, CTX)}
    assert "MITOMAP" not in items and not items["BA1"].met


def _ped(tmp_path, mother_line):
    path = tmp_path / "f.ped"
    path.write_text("F\tP\tD\tM\t1\t2\nF\tD\t0\t0\t1\t1\n" + mother_line)
    return read_ped(path, "P")


@pytest.mark.parametrize("mother, father, expected", [
    ("het", "hom_ref", {"mitochondrial_maternal"}),
    ("hom_ref", "hom_alt", {"mitochondrial", "de_novo"}),  # the father never transmits mtDNA
    (None, "het", {"mitochondrial"}),
])
def test_maternal_modes(tmp_path, mother, father, expected):
    ped = _ped(tmp_path, "F\tM\t0\t0\t2\t1\n")
    family = {"D": father, **({"M": mother} if mother else {})}
    gts = family_genotypes("P", "het", json.dumps(family))
    assert variant_modes("chrM", gts, ped, "P") == expected


def test_unaffected_carrier_mother_never_rules_mitochondrial_out(tmp_path):
    ped = _ped(tmp_path, "F\tM\t0\t0\t2\t1\n")
    gts = family_genotypes("P", "hemi", json.dumps({"M": "hom_alt", "D": "hom_alt"}))
    assert variant_modes("MT", gts, ped, "P") == {"mitochondrial_maternal"}


def test_heteroplasmy_factor():
    w = RankWeights()
    assert heteroplasmy_factor({"heteroplasmy": 0.4, "heteroplasmy_source": "AD"}, w) == (
        1.0, "heteroplasmy 40.0% (AD)")
    low, text = heteroplasmy_factor({"heteroplasmy": 0.02, "heteroplasmy_source": "FORMAT/AF"}, w)
    assert low == w.mito_low_heteroplasmy_factor and "possible artefact" in text
    assert heteroplasmy_factor({"heteroplasmy": None, "plasmy": "homoplasmic"}, w)[0] == 1.0
