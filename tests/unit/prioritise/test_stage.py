"""The PRIORITISE stage end to end: CLI contract, ledger, ranking, bad input, skipped stages."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from varrank.cli import main
from varrank.core import schema
from varrank.core.ledger import Ledger
from varrank.core.table_io import read_table, write_table
from varrank.prioritise.stage import PrioritiseOptions, load_resources, prioritise_table

from .conftest import TRIO_META

CF_TERMS = "HP:0002110,HP:0001738,HP:0004401"  # bronchiectasis, exocrine pancreatic insuff., meconium ileus


@pytest.fixture()
def trio_parquet(tmp_path, trio_table):
    return write_table(trio_table, tmp_path / "HG002.score.parquet", TRIO_META)


def run_cli(args, capsys):
    code = main(["prioritise", *map(str, args)])
    return code, capsys.readouterr().err


def test_cli_writes_contract_outputs(tmp_path, trio_parquet, trio_table, hpo_subset_dir,
                                     shared_data, hpo_subset_index, capsys):
    out = tmp_path / "out"
    code, err = run_cli(["--in", trio_parquet, "--out", out, "--hpo", CF_TERMS,
                         "--hpo-dir", hpo_subset_dir,
                         "--ped", shared_data / "variants/patients/slivar_ashk-trio.ped"], capsys)
    assert code == 0, err
    table, meta = read_table(out / "HG002.prioritise.parquet")
    n = trio_table.num_rows
    assert table.num_rows == n
    for col in schema.PRIORITISE:
        assert table.schema.field(col.name).type == col.type, col.name
    ledger = Ledger.read(out / "HG002.prioritise.ledger.json")
    assert ledger.balanced and ledger.records_in == ledger.records_out == n
    assert meta["stages"][-1]["stage"] == "prioritise"
    assert meta["stages"][-1]["hpo_terms"] == CF_TERMS.split(",")
    rows = table.to_pylist()
    ranked = [r for r in rows if r["rank"] is not None]
    excluded = [r for r in rows if r["excluded_reason"]]
    assert len(ranked) + len(excluded) == n
    assert sorted(r["rank"] for r in ranked) == list(range(1, len(ranked) + 1))
    assert sum(ledger.flagged.values()) == len(excluded)
    top = min(ranked, key=lambda r: r["rank"])
    kinds = {item["kind"] for item in json.loads(top["evidence_json"])}
    assert kinds == {"acmg", "clinvar", "consequence", "pangolin", "classification", "phenotype",
                     "inheritance", "score"}


def test_real_pathogenic_allele_ranks_first_on_variant_evidence_alone(trio_table, hpo_subset_dir,
                                                                      shared_data):
    """PERM1 1:911595 A>G is the one ClinVar Pathogenic allele HG002 carries in the data."""
    options = PrioritiseOptions(ped=shared_data / "variants/patients/slivar_ashk-trio.ped",
                                hpo_dir=hpo_subset_dir)
    out, ledger, info = prioritise_table(trio_table, TRIO_META, options, load_resources(options))
    rows = {r["variant_key"]: r for r in out.to_pylist()}
    perm1 = rows["1-911595-A-G"]
    assert perm1["rank"] == 1
    assert perm1["phenotype_score"] is None
    assert "ranked by variant evidence alone" in " ".join(ledger.notes)
    pheno = next(i for i in json.loads(perm1["evidence_json"]) if i["kind"] == "phenotype")
    assert pheno["status"] == "not_evaluated"
    assert info["phenotype_used"] is False
    # the ClinVar assertion is shown but does not make the ACMG class
    assert perm1["acmg_class"] == "Uncertain significance"


def test_hpo_changes_only_the_phenotype_part(trio_table, hpo_subset_dir):
    res = load_resources(PrioritiseOptions(hpo_dir=hpo_subset_dir))
    a, _, _ = prioritise_table(trio_table, TRIO_META, PrioritiseOptions(hpo=CF_TERMS.split(",")),
                               res)
    b, _, _ = prioritise_table(trio_table, TRIO_META, PrioritiseOptions(hpo=["HP:0001250"]), res)
    for col in ("acmg_codes", "acmg_class", "acmg_points", "acmg_class_points", "variant_score",
                "inheritance_fit", "excluded_reason"):
        assert a.column(col).equals(b.column(col)), col
    assert not a.column("phenotype_score").equals(b.column("phenotype_score"))


def test_unaffected_parents_filter_incompatible_genotypes(tmp_path, trio_table, hpo_subset_dir):
    ped = tmp_path / "trio_unaffected_parents.ped"
    ped.write_text("ash HG002 HG003 HG004 1 2\nash HG003 0 0 1 1\nash HG004 0 0 2 1\n")
    options = PrioritiseOptions(ped=ped, hpo_dir=hpo_subset_dir)
    out, ledger, _ = prioritise_table(trio_table, TRIO_META, options, load_resources(options))
    rows = out.to_pylist()
    bad = [r for r in rows if r["excluded_reason"] ==
           "genotypes of the family fit no mode of inheritance"]
    assert bad and all(r["rank"] is None for r in bad)
    # e.g. HG002 hom-alt with an unaffected hom-alt father fits nothing
    assert any(r["zygosity"] == "hom_alt" and '"HG003": "hom_alt"' in r["family_zygosity"]
               for r in bad)
    assert ledger.flagged["genotypes of the family fit no mode of inheritance"] == len(bad)
    assert any(r["inheritance_fit"] and "de_novo" in r["inheritance_fit"] for r in rows)


def test_bad_ped_warns_and_ranking_still_runs(tmp_path, trio_table, hpo_subset_dir):
    ped = tmp_path / "bad_family.ped"
    ped.write_text("ash HG002 HG003 HG004 1 2\n"        # father/mother ok
                   "ash HG003 0 0 2 0\n"                # father recorded female: sex conflict
                   "ash SIB HG003 GHOST 2 1\n")         # mother missing, SIB not in the VCF
    options = PrioritiseOptions(ped=ped, hpo_dir=hpo_subset_dir)
    out, ledger, info = prioritise_table(trio_table, TRIO_META, options, load_resources(options))
    notes = " | ".join(ledger.notes)
    assert "sex conflict" in notes and "'GHOST'" in notes and "not in the VCF" in notes
    assert "HG004" in notes  # mother of HG002 has no PED line
    carriers = sum(1 for z in trio_table.column("zygosity").to_pylist()
                   if z in ("het", "hom_alt", "hemi"))
    assert pa.compute.count(out.column("rank")).as_py() == carriers


def test_unknown_hpo_id_is_one_line_error_exit_2(tmp_path, trio_parquet, hpo_subset_dir,
                                                 hpo_subset_index, capsys):
    code, err = run_cli(["--in", trio_parquet, "--out", tmp_path / "o", "--hpo-dir",
                         hpo_subset_dir, "--hpo", "HP:0001250,HP:9999999"], capsys)
    assert code == 2
    assert "HP:9999999" in err and "Traceback" not in err
    assert err.splitlines()[0].startswith("varrank prioritise: error: unknown HPO term")
    assert not (tmp_path / "o" / "HG002.prioritise.parquet").exists()


def test_obsolete_hpo_id_runs_with_warning(tmp_path, trio_parquet, hpo_subset_dir, caplog,
                                           hpo_subset_index, capsys):
    code, err = run_cli(["--in", trio_parquet, "--out", tmp_path / "o", "--hpo-dir",
                         hpo_subset_dir, "--hpo", "HP:0000057"], capsys)
    assert code == 0
    assert "HP:0000057 is obsolete" in caplog.text
    ledger = json.loads((tmp_path / "o" / "HG002.prioritise.ledger.json").read_text())
    assert any("HP:0008665" in n for n in ledger["notes"])


def test_unknown_skip_kind_and_missing_input(tmp_path, trio_parquet, capsys):
    code, err = run_cli(["--in", trio_parquet, "--out", tmp_path, "--skip-evidence", "magic"],
                        capsys)
    assert code == 2 and "magic" in err
    code, err = run_cli(["--in", tmp_path / "none.parquet", "--out", tmp_path], capsys)
    assert code == 2 and "none.parquet" in err


def _annotated(rows):
    base = {"chrom": "7", "ref": "G", "alt": "A", "zygosity": "het", "family_zygosity": None,
            "gene_symbol": None, "consequence": None, "exon": None, "hgvs_p": None,
            "gnomad_grpmax_af": None, "gnomad_af": None, "gene_pli": None, "gene_loeuf": None,
            "spliceai_max": None, "clinvar_significance": None, "clinvar_stars": None}
    extra = {k: None for r in rows for k in r if k not in base}
    out = []
    for i, r in enumerate(rows):
        d = {**base, **extra, "pos": 1000 + i, **r}
        d["variant_key"] = f"{d['chrom']}-{d['pos']}-{d['ref']}-{d['alt']}"
        out.append(d)
    types = {"pos": pa.int64(), "clinvar_stars": pa.int8(), "gnomad_grpmax_af": pa.float64(),
             "gnomad_af": pa.float64(), "gene_pli": pa.float64(), "gene_loeuf": pa.float64(),
             "spliceai_max": pa.float64(), "revel_score": pa.float64(),
             "pangolin_max": pa.float64()}
    return pa.table({k: pa.array([r[k] for r in out], type=types.get(k, pa.string()))
                     for k in out[0]})


def test_phenotype_and_recessive_pair_decide_the_rank(hpo_subset_dir):
    """Two CFTR variants in trans outrank an equally damaging variant in an unrelated gene."""
    fam_pat = json.dumps({"dad": "het", "mum": "hom_ref"})
    fam_mat = json.dumps({"dad": "hom_ref", "mum": "het"})
    table = _annotated([
        dict(gene_symbol="SCN1A", consequence="stop_gained", exon="5/26", gene_pli=1.0,
             gnomad_af=None, spliceai_max=0.0,
             family_zygosity=json.dumps({"dad": "hom_ref", "mum": "hom_ref"})),
        dict(gene_symbol="CFTR", consequence="stop_gained", exon="12/27", gene_pli=0.0,
             gene_loeuf=0.9, spliceai_max=0.0, family_zygosity=fam_pat),  # recessive: pLI low
        dict(gene_symbol="CFTR", consequence="missense_variant", revel_score=0.95,
             spliceai_max=0.0, family_zygosity=fam_mat, gnomad_af=0.0002),
        dict(gene_symbol="AGRN", consequence="synonymous_variant", spliceai_max=0.01,
             gnomad_af=0.2, family_zygosity=json.dumps({"dad": "hom_ref", "mum": "hom_ref"})),
        dict(gene_symbol="AGRN", consequence="missense_variant", revel_score=0.99,
             family_zygosity=fam_pat),  # inherited from the unaffected father: fits nothing
    ])
    meta = {"patient": "P1", "proband": "kid", "declared_sex": "male"}
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        ped = Path(tmp) / "trio.ped"
        ped.write_text("f kid dad mum 1 2\nf dad 0 0 1 1\nf mum 0 0 2 1\n")
        lof = Path(tmp) / "lof_genes.txt"
        lof.write_text("# curated LoF-mechanism genes\nCFTR\n")
        options = PrioritiseOptions(hpo=CF_TERMS.split(","), ped=ped, hpo_dir=hpo_subset_dir,
                                    lof_genes=lof)
        out, _, _ = prioritise_table(table, meta, options, load_resources(options))
    rows = {r["gene_symbol"] + str(r["pos"]): r for r in out.to_pylist()}
    cftr = [r for r in out.to_pylist() if r["gene_symbol"] == "CFTR"]
    assert {r["rank"] for r in cftr} == {1, 2}
    assert all(r["gene_rank"] == 1 for r in cftr)
    assert cftr[0]["acmg_codes"] == "PVS1;PM2_Supporting"  # curated list: PVS1 despite pLI 0
    assert all("autosomal_recessive_comphet" in r["inheritance_fit"] for r in cftr)
    assert cftr[0]["phenotype_disease"] == "OMIM:219700 Cystic fibrosis"
    assert cftr[0]["disease_inheritance"] == "autosomal_recessive"
    scn1a = rows["SCN1A1000"]
    assert scn1a["acmg_codes"] == "PVS1;PM2_Supporting" and scn1a["rank"] == 3
    assert "de_novo" in scn1a["inheritance_fit"]
    agrn = rows["AGRN1003"]
    assert agrn["acmg_class"] == "Benign" and agrn["rank"] == 4
    assert rows["AGRN1004"]["rank"] is None
    assert rows["AGRN1004"]["excluded_reason"] == \
        "genotypes of the family fit no mode of inheritance"
    inh = next(i for i in json.loads(cftr[0]["evidence_json"]) if i["kind"] == "inheritance")
    assert inh["compound_het_partners"][0]["phase"] == "confirmed"


def test_table_without_annotate_or_score_columns(tmp_path, hpo_subset_dir):
    """A skipped ANNOTATE/SCORE: every criterion is 'not evaluated', never met or unmet."""
    table = pa.table({"chrom": ["1"], "pos": pa.array([5], pa.int64()), "ref": ["A"],
                      "alt": ["G"], "variant_key": ["1-5-A-G"], "zygosity": ["het"]})
    options = PrioritiseOptions(hpo=["HP:0001250"], hpo_dir=hpo_subset_dir)
    out, ledger, _ = prioritise_table(table, {"patient": "P"}, options, load_resources(options))
    row = out.to_pylist()[0]
    assert row["rank"] == 1 and row["acmg_codes"] == ""
    acmg = [i for i in json.loads(row["evidence_json"]) if i["kind"] in ("acmg", "clinvar")]
    assert {i["status"] for i in acmg} == {"not_evaluated"}


def test_output_is_deterministic(trio_table, hpo_subset_dir):
    options = PrioritiseOptions(hpo=CF_TERMS.split(","), hpo_dir=hpo_subset_dir)
    res = load_resources(options)
    a, _, _ = prioritise_table(trio_table, TRIO_META, options, res)
    b, _, _ = prioritise_table(trio_table, TRIO_META, options, res)
    assert a.equals(b)


def test_evidence_cache_and_explain_off_give_identical_ranks(trio_table, hpo_subset_dir):
    options = PrioritiseOptions(hpo=CF_TERMS.split(","), hpo_dir=hpo_subset_dir)
    res = load_resources(options)
    plain, _, _ = prioritise_table(trio_table, TRIO_META, options, res)
    cache: dict = {}
    prioritise_table(trio_table, TRIO_META, PrioritiseOptions(hpo=["HP:0001250"]), res,
                     evidence_cache=cache)
    cached, _, _ = prioritise_table(trio_table, TRIO_META, options, res, evidence_cache=cache,
                                    explain=False)
    for col in ("rank", "gene_rank", "variant_score", "gene_score", "acmg_codes"):
        assert plain.column(col).equals(cached.column(col)), col
    assert cached.column("evidence_json").null_count == cached.num_rows


def test_consequence_prior_orders_otherwise_equal_variants(hpo_subset_dir):
    table = _annotated([dict(gene_symbol="AGRN", consequence="intron_variant"),
                        dict(gene_symbol="AGRN", consequence="missense_variant"),
                        # a snpEff term with no impact class in the SO table: no prior points
                        dict(gene_symbol="AGRN", consequence="structural_interaction_variant"),
                        dict(gene_symbol="AGRN", consequence="stop_gained")])
    options = PrioritiseOptions(hpo_dir=hpo_subset_dir)
    out, _, _ = prioritise_table(table, {"patient": "P"}, options, load_resources(options))
    ranks = {r["consequence"]: r["rank"] for r in out.to_pylist()}
    assert ranks == {"stop_gained": 1, "missense_variant": 2, "structural_interaction_variant": 3,
                     "intron_variant": 4}
    stop = out.to_pylist()[3]
    item = next(i for i in json.loads(stop["evidence_json"]) if i["kind"] == "consequence")
    assert item["impact"] == "HIGH" and item["points"] == 2
    assert stop["acmg_codes"] == ""  # the prior never enters the ACMG class
    off, _, _ = prioritise_table(table, {"patient": "P"},
                                 PrioritiseOptions(hpo_dir=hpo_subset_dir,
                                                   skip=frozenset({"consequence"})),
                                 load_resources(options))
    assert len(set(off.column("variant_score").to_pylist())) == 1


def test_pangolin_moves_the_rank_not_the_class_and_counts_the_splice_line_once(hpo_subset_dir):
    rows = [dict(gene_symbol="AGRN", consequence="intron_variant", spliceai_max=0.05,
                 pangolin_max=pangolin, pangolin_status=status)
            for pangolin, status in ((0.45, "scored"), (0.05, "scored"), (None, "not_candidate:common"))]
    rows.append(dict(gene_symbol="AGRN", consequence="intron_variant", spliceai_max=0.5,
                     pangolin_max=0.45, pangolin_status="scored"))
    table = _annotated(rows)
    options = PrioritiseOptions(hpo_dir=hpo_subset_dir)
    out = prioritise_table(table, {"patient": "P"}, options, load_resources(options))[0].to_pylist()
    items = [next(i for i in json.loads(r["evidence_json"]) if i["kind"] == "pangolin")
             for r in out]
    by_pos = {r["pos"]: (item["points"], item["status"]) for r, item in zip(out, items)}
    assert by_pos == {1000: (1, "met"), 1001: (0, "not_met"), 1002: (0, "not_evaluated"),
                      1003: (0, "not_met")}  # 1003: SpliceAI's PP3 already counts
    scores = {r["pos"]: r["variant_score"] for r in out}
    assert scores[1000] > scores[1001] and "PP3" not in next(
        r for r in out if r["pos"] == 1000)["acmg_codes"]
    off = prioritise_table(table, {"patient": "P"},
                           PrioritiseOptions(hpo_dir=hpo_subset_dir,
                                             skip=frozenset({"computational"})),
                           load_resources(options))[0].to_pylist()
    assert len({r["variant_score"] for r in off if r["pos"] in (1000, 1001)}) == 1


def test_cli_preset_lof_list_and_clinvar_protein_index(tmp_path, hpo_subset_dir, shared_data,
                                                       hpo_subset_index, capsys):
    table = _annotated([
        dict(gene_symbol="SCN1A", consequence="stop_gained", exon="3/26"),
        dict(gene_symbol="PER3", consequence="missense_variant", hgvs_p="p.Pro415Leu"),
        dict(gene_symbol="AGRN", consequence="intron_variant", gnomad_af=0.3),  # gnomAD ran
    ])
    path = write_table(table, tmp_path / "P2.annotate.parquet", {"patient": "P2"})
    preset = tmp_path / "preset.json"
    preset.write_text(json.dumps({"thresholds": {"pm2_strength": "moderate",
                                                 "clinvar_min_stars_protein": 0},
                                  "ranking": {"phenotype_floor": 0.2}}))
    lof = tmp_path / "lof.txt"
    lof.write_text("SCN1A\n")
    code, err = run_cli(["--in", path, "--out", tmp_path / "o", "--hpo-dir", hpo_subset_dir,
                         "--preset", preset, "--lof-genes", lof, "--clinvar-protein",
                         shared_data / "variants/clinvar/macarthur_clinvar_alleles.multi.b37.vcf.gz"],
                        capsys)
    assert code == 0, err
    rows = {r["gene_symbol"]: r for r in
            pq.read_table(tmp_path / "o" / "P2.prioritise.parquet").to_pylist()}
    assert rows["SCN1A"]["acmg_codes"] == "PVS1;PM2"          # PM2 at Moderate by preset
    assert rows["PER3"]["acmg_codes"] == "PM2;PM5"            # Pro415Ala is P in ClinVar
    bad = tmp_path / "bad_preset.json"
    bad.write_text(json.dumps({"ranking": {"phenotype_flor": 0.2}}))
    code, err = run_cli(["--in", path, "--out", tmp_path / "o2", "--hpo-dir", hpo_subset_dir,
                         "--preset", bad], capsys)
    assert code == 2 and "phenotype_flor" in err
