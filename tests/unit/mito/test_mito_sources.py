"""mtDNA bundle sources built from the real files (gnomAD v3.1 chrM, HelixMTdb, MITOMAP,
MitoTIP, MitImpact, MITOMAP loci) and looked up by allele; their real-file oddities handled."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.lookup import lookup
from varrank.annotate.mito_loci import annotate as loci_annotate
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError


def _look(bundle_dir, *alleles):
    chrom, pos, ref, alt = zip(*alleles)
    keys = pa.table({"chrom": list(chrom), "pos": list(pos), "ref": list(ref), "alt": list(alt)})
    columns, matches = lookup(open_bundle(bundle_dir, "GRCh38"), keys, threads=1)
    return {k: v.to_pylist() for k, v in columns.items()}, matches


def test_manifest_rows_releases_and_licences(mito_bundle_dir):
    m = json.loads((mito_bundle_dir / "manifest.json").read_text())
    s = m["sources"]
    assert {k: v["kind"] for k, v in s.items()} == {k: k for k in (
        "gnomad_mito", "helixmtdb", "mitomap", "mitotip", "mitimpact")}
    assert s["gnomad_mito"]["rows"] == 18164 and s["gnomad_mito"]["release"] == "v3.1"
    assert s["helixmtdb"]["release"] == "2020-03-27" and s["mitomap"]["release"] == "2022-05-25"
    # MitImpact lists each allele under chrM, rCRS and RSRS: only the FASTA's contig is kept
    assert s["mitimpact"]["skipped"] == {"contig_not_in_reference": 48200}
    assert all(v.get("licence") for v in s.values())
    assert m["gene_resources"]["mito_loci"]["rows"] == 76


def test_lookup_of_melas_allele_and_a_nuclear_one(mito_bundle_dir):
    cols, matches = _look(mito_bundle_dir, ("MT", 3243, "A", "G"), ("chrM", 3243, "A", "T"),
                          ("1", 3243, "A", "G"))
    assert cols["mitomap_status"] == ["Cfrm", "Cfrm", None]
    assert cols["mitomap_disease"][0].startswith("MELAS / Leigh Syndrome")  # spaces decoded
    assert cols["gnomad_mt_af_het"][0] == pytest.approx(1.0641506e-4)
    assert cols["gnomad_mt_af_hom"][0] == 0.0 and cols["gnomad_mt_max_heteroplasmy"][0] == 0.464
    assert cols["helixmtdb_af_hom"][0] == pytest.approx(1.0204967e-5)
    assert cols["mitotip_score"][0] == pytest.approx(13.3483) and cols["mitotip_quartile"][0] == "Q2"
    assert cols["gnomad_mito_release"] == ["v3.1", "v3.1", None]
    assert matches["mitomap"] == 2


def test_real_file_oddities(mito_bundle_dir):
    cols, _ = _look(mito_bundle_dir, ("MT", 9032, "T", "C"), ("MT", 7465, "A", "AC"),
                    ("MT", 8527, "A", "C"), ("MT", 750, "A", "A"))
    # MITOMAP's disease name broken over lines 604-605 by a newline: joined, not lost
    assert cols["mitomap_disease"][0].endswith("hearing loss, lactic acidosis")
    # m.7471insC (C>CC at 7471) and A>CA at 7472 are one allele once left-aligned: one row
    assert cols["mitomap_status"][1] == "Cfrm"
    # MT-ATP8/MT-ATP6 overlap: MitImpact gives 8527 A>C twice (0.5, 0.54): the highest kept
    assert cols["apogee_score"][2] == 0.54 and cols["apogee_class"][2] == "Pathogenic"
    assert cols["mitomap_status"][3] is None  # ALT equals REF rows (rCRS's 750A) left out


def test_loci_give_the_gene_where_the_annotator_gave_none(mito_bundle_dir):
    con = open_bundle(mito_bundle_dir, "GRCh38").connect()
    got = loci_annotate(con, ["MT", "chrM", "MT", "17"], [3243, 16100, 8530, 3243],
                        pa.array([None, None, "KEEP", None], pa.string()))
    assert got["gene_symbol"].to_pylist() == ["MT-TL1", None, "KEEP", None]
    loci = got["mito_locus"].to_pylist()
    assert loci[0] == "MT-TER;MT-TL1" and "MT-CR" in loci[1] and loci[3] is None
    assert loci[2] == "MT-ATP8;MT-ATP6"  # overlapping genes both named


@pytest.mark.parametrize("kind, text, problem", [
    ("mitotip", "Position\trCRS\tAlt\n577\tG\tA\n", "header lacks mitotip_score"),
    ("gnomad_mito", "chromosome\tposition\tref\talt\tfilters\tAC_hom\tAC_het\tAF_hom\tAF_het\tAN\t"
                    "max_observed_heteroplasmy\nchrM\tx3\tT\tC\tPASS\t1\t1\t0.1\t0.1\t9\t0.9\n",
     "position 'x3' is not a number"),
    ("helixmtdb", "locus\talleles\tAF_hom\tAF_het\nchrM:5\t[\"A\",\"C\"]\tabc\t0.0\n",
     "is not a valid Float"),
])
def test_bad_tables_name_file_and_line(tmp_path, mt_fasta, kind, text, problem):
    path = tmp_path / f"{kind}.tsv"
    path.write_text(text)
    with pytest.raises(ResourceError) as err:
        build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", fasta=mt_fasta,
                                  sources=[SourceSpec(kind, kind, [path])], hpo_dir=None))
    assert problem in str(err.value) and str(path) in str(err.value)
    assert not (tmp_path / "b").exists()


def test_bad_loci_table(tmp_path):
    path = tmp_path / "loci.txt"
    path.write_text("Map_Locus\tStarting\tEnding\tShorthand\tDescription\nMT-X\t1\t99999\tX\tbad\n")
    with pytest.raises(ResourceError, match=r"loci.txt:2: locus 'MT-X'.*not within 1-16569"):
        build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", sources=[],
                                  mito_loci=path, hpo_dir=None))
