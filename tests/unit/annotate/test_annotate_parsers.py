"""ANN/CSQ parsing into one schema, and the preferred-transcript rule."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from varrank.annotate import AnnotateOptions, run_annotate
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.consequence.effect import amino_acids_from_hgvs_p, intronic_offset
from varrank.annotate.consequence.gene_model import splice_distance
from varrank.annotate.consequence.parse import (csq_format_from_header, parse_ann, parse_csq,
                                                vep_allele_forms)
from varrank.annotate.consequence.select import preferred
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import InputError
from varrank.core.schema import arrow_schema
from varrank.core.table_io import write_table

from annotate_helpers import VEP113_CSQ, VEP113_DESCRIPTION

# snpEff 5.1d output (this project's BRCA1 GRCh38 database), first entries of chr17:43084171 C>T.
SNPEFF_ANN = (
    "T|downstream_gene_variant|MODIFIER|RPL21P4|ENSG00000240828.1|transcript|ENST00000497954.1|"
    "processed_pseudogene||n.*4391C>T|||||4391|,"
    "T|intron_variant|MODIFIER|BRCA1|ENSG00000012048.15|transcript|ENST00000471181.2|"
    "protein_coding|11/23|c.4186-1596G>A||||||,"
    "T|intron_variant|MODIFIER|BRCA1|ENSG00000012048.15|transcript|ENST00000357654.3|"
    "protein_coding|11/22|c.4186-1596G>A||||||")


def test_vep_csq_parsed_by_header_field_names():
    fields = csq_format_from_header(VEP113_DESCRIPTION)
    assert len(fields) == 59
    effects = parse_csq(VEP113_CSQ, fields, "A", "C")
    assert len(effects) == 4
    best = preferred(effects)
    assert best.transcript_id == "ENST00000641515.2" and best.is_mane_select is True
    assert (best.gene_symbol, best.gene_id, best.consequence, best.impact) == \
        ("OR4F5", "ENSG00000186092", "missense_variant", "MODERATE")
    assert (best.exon, best.intron, best.protein_position, best.amino_acids) == ("2/3", None, 2, "K/Q")
    assert [e.is_mane_select for e in effects] == [False, True, False, False]
    assert effects[0].distance == 1681 and effects[0].is_canonical is None  # no CANONICAL field


def test_vep_hgvs_prefixes_and_escapes_are_removed():
    fields = ["Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature",
              "BIOTYPE", "HGVSc", "HGVSp", "CANONICAL"]
    csq = ("T|synonymous_variant|LOW|BRCA1|ENSG00000012048|Transcript|ENST00000357654.9|"
           "protein_coding|ENST00000357654.9:c.5388A>G|ENSP00000350283.3:p.Ser1796%3D|YES")
    (effect,) = parse_csq(csq, fields, "T", "C".replace("C", "T"))
    assert (effect.hgvs_c, effect.hgvs_p, effect.amino_acids) == ("c.5388A>G", "p.Ser1796=", "S")
    assert effect.is_canonical is True and effect.is_mane_select is None


def test_vep_allele_forms_for_split_multiallelics():
    assert vep_allele_forms("A", "AT") == {"AT", "T"}
    assert vep_allele_forms("AT", "A") == {"A", "-"}
    assert vep_allele_forms("A", "G") == {"G"}
    fields = ["Allele", "Consequence", "IMPACT", "Feature"]
    csq = "T|frameshift_variant|HIGH|ENST1,-|frameshift_variant|HIGH|ENST2"
    assert [e.transcript_id for e in parse_csq(csq, fields, "AT", "A")] == ["ENST2"]


def test_csq_entry_with_wrong_field_count_is_an_input_error():
    with pytest.raises(InputError, match="CSQ entry has 3 fields"):
        parse_csq("C|missense_variant|MODERATE", ["Allele", "Consequence"], "A", "C")
    with pytest.raises(InputError, match="no 'Format: ...'"):
        csq_format_from_header("Consequence annotations")


def test_snpeff_ann_parsed_into_the_same_schema():
    effects = parse_ann(SNPEFF_ANN, "T")
    assert len(effects) == 3
    down, intron, canon = effects
    assert down.transcript_id == "ENST00000497954.1" and down.distance == 4391
    assert (canon.intron, canon.exon, canon.splice_distance) == ("11/22", None, -1596)
    assert canon.consequence == "intron_variant" and canon.impact == "MODIFIER"
    assert parse_ann(SNPEFF_ANN, "G") == []  # entries for another allele are not this row's


def test_snpeff_terms_mapped_to_so_parents_and_synonymous_p():
    ann = ("A|disruptive_inframe_deletion&splice_region_variant|MODERATE|G|G1|transcript|T1|"
           "protein_coding|3/9|c.10_12del|p.Leu4del|10/900|10/600|4/199||,"
           "A|synonymous_variant|LOW|G|G1|transcript|T2|protein_coding|3/9|c.12G>A|p.Leu4Leu|"
           "12/900|12/600|4/199||")
    indel, syn = parse_ann(ann, "A")
    assert indel.consequence == "inframe_deletion&splice_region_variant"
    assert syn.hgvs_p == "p.Leu4=" and syn.amino_acids == "L" and syn.protein_position == 4


def test_preferred_order_mane_then_canonical_then_severity():
    fields = ["Allele", "Consequence", "IMPACT", "Feature", "BIOTYPE", "CANONICAL", "MANE_SELECT"]

    def effects(*rows):
        return parse_csq(",".join(rows), fields, "A", "C")

    mane = "C|synonymous_variant|LOW|T_MANE|protein_coding||NM_1.1"
    canon = "C|missense_variant|MODERATE|T_CANON|protein_coding|YES|"
    severe = "C|stop_gained|HIGH|T_OTHER|protein_coding||"
    assert preferred(effects(severe, canon, mane)).transcript_id == "T_MANE"
    assert preferred(effects(severe, canon)).transcript_id == "T_CANON"
    assert preferred(effects("C|intron_variant|MODIFIER|T_A|protein_coding||", severe)).transcript_id == "T_OTHER"
    assert preferred([]) is None


def test_hgvs_helpers():
    assert amino_acids_from_hgvs_p("p.Arg123Trp") == "R/W"
    assert amino_acids_from_hgvs_p("p.Arg123Ter") == "R/*"
    assert amino_acids_from_hgvs_p("p.Lys2fs") is None
    assert intronic_offset("c.80+5G>A") == 5 and intronic_offset("c.4186-12A>G") == -12
    assert intronic_offset("c.-43-9650G>A") == -9650 and intronic_offset("c.3024G>A") is None


def test_exonic_splice_distance_both_strands():
    starts, ends = [100, 300, 500], [200, 400, 600]
    # plus strand: exon 2 spans 300-400; 300 is the acceptor-side base, 400 the donor-side base
    assert splice_distance(300, "+", starts, ends) == 0
    assert splice_distance(302, "+", starts, ends) == 2
    assert splice_distance(398, "+", starts, ends) == -2
    assert splice_distance(150, "+", starts, ends) == -50  # first exon: donor only
    # minus strand: transcript runs right to left; 400 is the acceptor side of the middle exon
    assert splice_distance(398, "-", starts, ends) == 2
    assert splice_distance(301, "-", starts, ends) == -1
    assert splice_distance(550, "-", starts, ends) == -50  # transcript-first exon: donor at 500 only
    assert splice_distance(250, "+", starts, ends) is None
    assert splice_distance(150, "+", [100], [200]) is None


def test_stage_parses_upstream_csq_with_header_format(tmp_path, shared_data):
    rows = {f.name: [None] for f in arrow_schema("ingest")}
    rows.update(chrom=["1"], pos=[65568], ref=["A"], alt=["C"], variant_key=["1-65568-A-C"],
                csq_raw=[VEP113_CSQ])
    table = pa.Table.from_pydict(rows, schema=arrow_schema("ingest"))
    path = write_table(table, tmp_path / "p.parquet", {"patient": "P9", "genome_build": "GRCh38",
                                                       "csq_format": VEP113_DESCRIPTION})
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", sources=[SourceSpec(
        "popfreq", "tgp", [shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"])]))
    out = run_annotate(path, bundle, tmp_path / "o")
    row = pq.read_table(out.table).to_pylist()[0]
    assert (row["gene_symbol"], row["transcript_id"], row["is_mane_select"]) == \
        ("OR4F5", "ENST00000641515.2", True)
    assert row["n_transcripts"] == 4 and row["max_pop_af"] is None
    assert pq.read_table(out.transcripts).num_rows == 4
    write_table(table, path, {"patient": "P9", "genome_build": "GRCh38"})
    with pytest.raises(InputError, match="no CSQ field list"):
        run_annotate(path, bundle, tmp_path / "o2")
    out = run_annotate(path, bundle, tmp_path / "o3", AnnotateOptions(
        csq_format=VEP113_DESCRIPTION.split("Format: ")[1]))
    assert pq.read_table(out.table).column("consequence").to_pylist() == ["missense_variant"]
