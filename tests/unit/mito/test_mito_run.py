"""End to end through the CLI chain (`varrank run`): the real HG00097 chrMT calls with the
MELAS allele m.3243A>G spiked at 40% heteroplasmy, the real mtDNA bundle and a MELAS HPO
profile rank m.3243A>G first, and the report shows its level and the mtDNA evidence."""

from __future__ import annotations

import json
import subprocess
import sys

from varrank.testdata.mito import Spike, spiked_vcf

MELAS = "HP:0002401,HP:0003128,HP:0003198,HP:0001250"  # stroke-like, lactic acidosis, myopathy, seizure


def _run(tmp_path, vcf, fasta, bundle, hpo=MELAS):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "varrank", "-q", "run", "--vcf", str(vcf),
                           "--fasta", str(fasta), "--patient", "HG00097", "--bundle", str(bundle),
                           "--hpo", hpo, "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "report" / "HG00097.report.json").read_text()), out


def test_melas_allele_ranks_first(tmp_path, shared_data, mt_fasta, mito_bundle_dir):
    vcf = spiked_vcf(shared_data, tmp_path, (Spike(),))
    report, out = _run(tmp_path, vcf, mt_fasta, mito_bundle_dir)
    top = report["findings"]["items"][0]
    assert top["rank"] == 1 and top["variant_key"] == "MT-3243-A-G" and top["gene"] == "MT-TL1"
    assert top["mito"]["hgvs_m"] == "m.3243A>G"
    assert top["mito"]["heteroplasmy"] == 0.4 and top["mito"]["plasmy"] == "heteroplasmic"
    assert top["mito"]["mitomap"]["status"] == "Cfrm"
    assert top["phenotype"]["disease"].startswith("OMIM:540000")  # MELAS
    assert top["inheritance_fit"] == ["mitochondrial"]
    codes = {e.get("code"): e for e in top["evidence"]}
    assert codes["MITOMAP"]["status"] == "met" and codes["MITOMAP"]["kind"] == "mitomap"
    assert codes["PM2"]["label"] == "PM2_Supporting" and "McCormick 2020" in codes["PM2"]["reason"]
    section = report["mitochondrial"]
    assert section["total"] == 42 and section["items"][0]["variant_key"] == "MT-3243-A-G"
    html = (out / "report" / "HG00097.report.html").read_text()
    assert 'id="mitochondrial"' in html and "40.0%" in html and "MELAS / Leigh Syndrome" in html
    # the background's haplogroup alleles are common homoplasmic: BA1 by McCormick 2020
    ba1 = [i for i in section["items"] if "BA1" in (i["acmg_codes"] or "")]
    assert len(ba1) >= 25


def test_without_mitomap_the_rank_comes_from_the_rest(tmp_path, shared_data, mt_fasta,
                                                       mito_bundle_dir):
    """The ranking is not hard-wired to the spike: a MITOMAP-unlisted allele of MT-TL1 with
    no predictor support does not outrank the background's APOGEE-pathogenic MT-CO1 allele."""
    vcf = spiked_vcf(shared_data, tmp_path, (Spike(pos=3290, ref="T", alt="C"),))
    report, _ = _run(tmp_path, vcf, mt_fasta, mito_bundle_dir)
    keys = [f["variant_key"] for f in report["findings"]["items"]]
    assert "MT-3290-T-C" in keys and keys[0] != "MT-3290-T-C"
