"""Records that alone are bad become counted ledger entries; their good neighbours survive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest_records import Rec
from varrank.core.ledger import Ledger
from varrank.ingest import run_ingest


def ref_at(seq, chrom, pos, n=1):
    return seq[chrom][pos - 1:pos - 1 + n]


def other(base):
    return "G" if base != "G" else "T"


def snv(seq, chrom, pos, gts=("0/1",), **kw):
    base = ref_at(seq, chrom, pos)
    return Rec(chrom, pos, base, other(base), gts=gts, **kw)


def ingest(vcf, fasta, out, **kw):
    paths = run_ingest(vcf=vcf, patient="P1", out=out, fasta=fasta, **kw)
    table = pq.read_table(paths.table).to_pylist()
    ledger = Ledger.read(paths.ledger)
    assert ledger.balanced
    assert ledger.records_out == len(table)
    with gzip.open(paths.dropped, "rt") as handle:
        dropped = [line.rstrip("\n").split("\t") for line in handle][1:]
    assert len(dropped) == sum(ledger.dropped.values()) - ledger.dropped.get("removed_by_bcftools_norm", 0)
    return table, ledger, dropped, paths


def keys(table):
    return {(r["chrom"], r["pos"], r["ref"], r["alt"]) for r in table}


def test_duplicate_records(tmp_path, write_vcf, small_fasta, small_seq):
    a, b = snv(small_seq, "chr1", 200), snv(small_seq, "chr1", 300)
    vcf = write_vcf("duplicate_records", [a, a, b])
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"duplicate_record": 1}
    assert keys(table) == {("chr1", 200, a.ref, a.alt), ("chr1", 300, b.ref, b.alt)}


def test_ref_mismatch_listed_with_line(tmp_path, write_vcf, small_fasta, small_seq):
    good = [snv(small_seq, "chr1", p) for p in (150, 250, 350, 450)]
    true_base = ref_at(small_seq, "chr1", 300)
    wrong = Rec("chr1", 300, other(true_base), "A" if other(true_base) != "A" else "C")
    vcf = write_vcf("ref_not_matching_reference", [good[0], good[1], wrong, good[2], good[3]])
    table, ledger, dropped, paths = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"ref_mismatch": 1}
    assert len(table) == 4 and keys(table) == {("chr1", g.pos, g.ref, g.alt) for g in good}
    header_lines = sum(1 for line in vcf.read_text().splitlines() if line.startswith("#"))
    (row,) = dropped
    assert row[:6] == [str(header_lines + 3), "chr1", "300", wrong.ref, wrong.alt, "ref_mismatch"]
    assert row[6] == f"FASTA has {true_base}"
    qc = json.loads(paths.qc.read_text())
    assert qc["ref_check"] == {"checked": 5, "mismatches": 1, "examples": ledger.examples["ref_mismatch"]}


def test_symbolic_alts(tmp_path, write_vcf, small_fasta, small_seq):
    base = ref_at(small_seq, "chr1", 400)
    records = [
        snv(small_seq, "chr1", 300),
        Rec("chr1", 400, base, "<DEL>", info="END=600"),
        Rec("chr1", 500, ref_at(small_seq, "chr1", 500), f"{other(ref_at(small_seq, 'chr1', 500))},<INV>",
            gts=("1/2",)),
        Rec("chr1", 700, ref_at(small_seq, "chr1", 700), "]chr2:100]" + ref_at(small_seq, "chr1", 700)),
    ]
    vcf = write_vcf("symbolic_alts", records)
    vcf.write_text(vcf.read_text().replace("##FORMAT=<ID=GT", '##ALT=<ID=DEL,Description="Deletion">\n'
                                                           '##ALT=<ID=INV,Description="Inversion">\n##FORMAT=<ID=GT'))
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"symbolic_allele": 3}
    assert ledger.added == {"multiallelic_split": 1}
    assert ("chr1", 300, records[0].ref, records[0].alt) in keys(table)
    assert ("chr1", 500, records[2].ref, records[2].alt.split(",")[0]) in keys(table)


def test_star_alleles(tmp_path, write_vcf, small_fasta, small_seq):
    deletion = Rec("chr1", 200, ref_at(small_seq, "chr1", 200, 4), ref_at(small_seq, "chr1", 200))
    base = ref_at(small_seq, "chr1", 202)
    star = Rec("chr1", 202, base, f"*,{other(base)}", gts=("1/2",))
    vcf = write_vcf("multiallelic_star_allele", [deletion, star, snv(small_seq, "chr1", 300)])
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"star_allele": 1}
    header_lines = sum(1 for line in vcf.read_text().splitlines() if line.startswith("#"))
    assert dropped[0][:6] == [str(header_lines + 2), "chr1", "202", base, "*", "star_allele"]  # input line
    assert ("chr1", 202, base, other(base)) in keys(table)
    assert ("chr1", 200, deletion.ref, deletion.alt) in keys(table)
    row = next(r for r in table if r["pos"] == 202)
    assert row["split_from"] == f"chr1:202:{base}:*,{other(base)}" and row["zygosity"] == "het"


def test_23andme_style_lowercase_ref_dot_alt(tmp_path, write_vcf, small_fasta, small_seq):
    b1, b2 = ref_at(small_seq, "chr1", 200), ref_at(small_seq, "chr1", 300)
    records = [
        Rec("chr1", 200, b1.lower(), ".", gts=("0/0",)),  # monomorphic site: no ALT
        Rec("chr1", 300, b2.lower(), other(b2).lower(), gts=("1/1",)),
    ]
    vcf = write_vcf("lowercase_ref_dot_alt_23andme", records)
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"no_alt_allele": 1}
    assert table[0]["ref"] == b2 and table[0]["alt"] == other(b2) and table[0]["zygosity"] == "hom_alt"


def test_gvcf_reference_blocks(tmp_path, write_vcf, small_fasta, small_seq):
    b = lambda p: ref_at(small_seq, "chr1", p)  # noqa: E731
    records = [
        Rec("chr1", 100, b(100), "<NON_REF>", gts=("0/0",), info="END=199"),
        Rec("chr1", 200, b(200), f"{other(b(200))},<NON_REF>", gts=("0/1",)),
        Rec("chr1", 201, b(201), ".", gts=("0/0",), info="END=250"),
        Rec("chr1", 251, b(251), "<*>", gts=("0/0",), info="END=299"),
    ]
    vcf = write_vcf("gvcf_ref_blocks", records)
    vcf.write_text(vcf.read_text().replace("##FORMAT=<ID=GT", '##ALT=<ID=NON_REF,Description="Any other allele">\n'
                                                           "##FORMAT=<ID=GT"))
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"gvcf_reference_block": 3, "gvcf_non_ref_allele": 1}
    assert keys(table) == {("chr1", 200, b(200), other(b(200)))}


def test_multiallelic_split_and_left_align(tmp_path, write_vcf, small_fasta, small_seq):
    # poly-A at 101-110 preceded by C at 100: an A insertion written at 108 left-aligns to 100.
    assert small_seq["chr1"][99:111] == "C" + "A" * 10 + "G"
    base = ref_at(small_seq, "chr1", 300)
    alt1, alt2 = [b for b in "ACGT" if b != base][:2]
    records = [
        Rec("chr1", 108, "A", "AA", gts=("0/1",)),
        Rec("chr1", 300, base, f"{alt1},{alt2}", gts=("1/2",), fmt="GT:AD:DP:GQ"),
    ]
    records[1].gts = ("1/2:2,10,12:24:50",)
    vcf = write_vcf("multiallelic_and_indel_to_left_align", records)
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.added == {"multiallelic_split": 1} and not ledger.dropped
    by_pos = {(r["pos"], r["alt"]): r for r in table}
    ins = by_pos[(100, "CA")]
    assert ins["ref"] == "C" and ins["left_aligned"] is True and ins["variant_type"] == "insertion"
    first, second = by_pos[(300, alt1)], by_pos[(300, alt2)]
    assert first["split_from"] == second["split_from"] == f"chr1:300:{base}:{alt1},{alt2}"
    assert first["left_aligned"] is False
    assert (first["ad_ref"], first["ad_alt"], second["ad_alt"]) == (2, 10, 12)
    assert first["vaf"] == pytest.approx(10 / 12) and first["gq"] == 50 and first["dp"] == 24
    assert first["gt"] == "1/0" and second["gt"] == "0/1"


def test_proband_hom_ref_and_no_call_dropped(tmp_path, write_vcf, small_fasta, small_seq):
    records = [
        snv(small_seq, "chr1", 200, gts=("0/0", "0/1")),
        snv(small_seq, "chr1", 300, gts=("./.", "1/1")),
        snv(small_seq, "chr1", 400, gts=("1|0", "0/0")),
        snv(small_seq, "chr1", 500, gts=("./1", "0/1")),
    ]
    vcf = write_vcf("proband_hom_ref_no_call", records, samples=("KID", "MUM"))
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out", proband="KID")
    assert ledger.dropped == {"proband_hom_ref": 1, "proband_no_call": 1}
    by_pos = {r["pos"]: r for r in table}
    assert set(by_pos) == {400, 500}
    assert by_pos[400]["gt"] == "1|0" and by_pos[400]["phased"] is True
    assert json.loads(by_pos[400]["family_zygosity"]) == {"MUM": "hom_ref"}
    assert by_pos[500]["zygosity"] == "het" and json.loads(by_pos[500]["family_zygosity"]) == {"MUM": "het"}


def test_some_contigs_missing_and_positions_past_the_end(tmp_path, write_vcf, small_fasta, small_seq):
    records = [snv(small_seq, "chr1", 200), Rec("chrUn_decoy", 10, "A", "G"), snv(small_seq, "chr2", 300),
               Rec("chr2", 1499, "NNN", "N")]
    vcf = write_vcf("contigs_missing_from_fasta", records, contigs={"chr1": 2000, "chrUn_decoy": 5000,
                                                                      "chr2": 1500})
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"contig_not_in_reference": 1, "pos_beyond_contig_end": 1}
    assert {(r["chrom"], r["pos"]) for r in table} == {("chr1", 200), ("chr2", 300)}


def test_invalid_allele(tmp_path, write_vcf, small_fasta, small_seq):
    base = ref_at(small_seq, "chr1", 300)
    b4 = ref_at(small_seq, "chr1", 400)
    records = [snv(small_seq, "chr1", 200), Rec("chr1", 300, base, "R"),
               Rec("chr1", 400, b4, f"{b4},{other(b4)}", gts=("1/2",))]
    vcf = write_vcf("iupac_alt_and_alt_equal_to_ref", records)
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert ledger.dropped == {"invalid_allele": 1, "alt_equals_ref": 1}
    assert keys(table) == {("chr1", 200, records[0].ref, records[0].alt), ("chr1", 400, b4, other(b4))}


def test_filters_qual_and_ids_kept(tmp_path, write_vcf, small_fasta, small_seq):
    records = [snv(small_seq, "chr1", 200, id="rs1"), snv(small_seq, "chr1", 300, filter="LowQual"),
               snv(small_seq, "chr1", 400, filter=".")]
    vcf = write_vcf("filters", records)
    table, ledger, _, paths = ingest(vcf, small_fasta, tmp_path / "out")
    assert [r["filter"] for r in table] == ["PASS", "LowQual", None]
    assert table[0]["vcf_id"] == "rs1" and table[1]["vcf_id"] is None and table[0]["qual"] == 60.0
    qc = json.loads(paths.qc.read_text())
    assert qc["pass_fraction"] == pytest.approx(1 / 3, abs=1e-4)
    assert qc["filter"] == {"PASS": 1, "failed": 1, "unfiltered": 1}


def test_chrx_sex_inference(tmp_path, write_vcf):
    """40 het SNVs on non-PAR chrX: inferred female; declared male -> mismatch in QC."""
    import pysam

    # A short chrX (N, then a stretch of A at 3.0 Mb, past PAR1's end at 2,781,479) and no
    # header length, so --genome names the build that sets the PAR coordinates.
    fasta = tmp_path / "chrX_start.fa"
    with open(fasta, "w") as handle:
        handle.write(">chrX\n")
        for start in range(0, 3_010_000, 60):
            handle.write(("A" if start >= 3_000_000 else "N") * 60 + "\n")
    pysam.faidx(str(fasta))
    records = [Rec("chrX", 3_000_101 + 100 * i, "A", "G", gts=("0/1",)) for i in range(40)]
    vcf = write_vcf("chrx_het_female", records, contigs={})
    table, ledger, _, paths = ingest(vcf, fasta, tmp_path / "out", sex="male", genome="GRCh38")
    qc = json.loads(paths.qc.read_text())
    assert qc["genome_build"] == "GRCh38" and qc["chrx"]["par_regions_excluded"][0] == [10001, 2781479]
    assert qc["chrx"]["het"] == 40 and qc["sex"]["inferred"] == "female" and qc["sex"]["check"] == "mismatch"
    male = [Rec("chrX", 3_000_101 + 100 * i, "A", "G", gts=("1",)) for i in range(40)]
    _, _, _, paths = ingest(write_vcf("chrx_hemi_male", male, contigs={}), fasta, tmp_path / "m", sex="male",
                            genome="GRCh38")
    qc = json.loads(paths.qc.read_text())
    assert qc["sex"]["inferred"] == "male" and qc["sex"]["check"] == "consistent"


def test_outputs_and_metadata(tmp_path, write_vcf, small_fasta, small_seq):
    from varrank.core.schema import arrow_schema
    from varrank.core.table_io import read_table

    vcf = write_vcf("good", [snv(small_seq, "chr1", 200), snv(small_seq, "chr2", 300)])
    _, _, _, paths = ingest(vcf, small_fasta, tmp_path / "out", sex="female")
    table, meta = read_table(paths.table)
    assert table.schema.remove_metadata() == arrow_schema("ingest")
    assert meta["patient"] == "P1" and meta["proband"] == "S1" and meta["declared_sex"] == "female"
    assert meta["stages"][-1]["stage"] == "ingest" and meta["fasta"] == str(Path(small_fasta).resolve())
    assert Path(f"{paths.vcf}.tbi").exists()
    import pysam

    with pysam.VariantFile(str(paths.vcf)) as out:
        assert [(r.chrom, r.pos) for r in out.fetch("chr2")] == [("chr2", 300)]


def test_family_zygosity_follows_the_ped(tmp_path, write_vcf, small_fasta, small_seq):
    ped = tmp_path / "family.ped"
    ped.write_text("fam1\tKID\tDAD\tMUM\t1\t2\nfam1\tDAD\t0\t0\t1\t1\nfam1\tMUM\t0\t0\t2\t1\n"
                   "fam2\tOTHER\t0\t0\t2\t2\n")
    records = [snv(small_seq, "chr1", 200, gts=("0/1", "0/0", "0/1", "1/1"))]
    vcf = write_vcf("trio_plus_unrelated", records, samples=("KID", "DAD", "MUM", "OTHER"))
    # two affected samples in the PED (KID, OTHER): the proband must be named
    with pytest.raises(Exception, match="4 samples and no proband"):
        run_ingest(vcf=vcf, patient="P1", out=tmp_path / "x", fasta=small_fasta, ped=ped)
    table, ledger, _, paths = ingest(vcf, small_fasta, tmp_path / "out", ped=ped, proband="KID")
    assert json.loads(table[0]["family_zygosity"]) == {"DAD": "hom_ref", "MUM": "het"}
    assert json.loads(paths.qc.read_text())["sex"]["declared"] == "male"  # from the PED


def test_cohort_vcf_without_ped_leaves_family_empty(tmp_path, write_vcf, small_fasta, small_seq):
    samples = [f"S{i}" for i in range(20)]
    records = [snv(small_seq, "chr1", 200, gts=["0/1"] * 20)]
    vcf = write_vcf("cohort_20_samples", records, samples=samples)
    table, ledger, _, _ = ingest(vcf, small_fasta, tmp_path / "out", proband="S3")
    assert table[0]["family_zygosity"] is None
    assert any("family_zygosity left empty" in note for note in ledger.notes)


def test_float_gq_and_record_without_gt(tmp_path, write_vcf, small_fasta, small_seq):
    """Some callers declare GQ as Float (missing = NaN); a record may lack GT altogether."""
    a, b, c = (snv(small_seq, "chr1", p) for p in (200, 300, 400))
    a.fmt, a.gts = "GT:GQ:DP", ("0/1:.:5",)
    b.fmt, b.gts = "GT:GQ:DP", ("0/1:33.7:.",)
    c.fmt, c.gts = "DP", ("7",)
    vcf = write_vcf("float_gq_and_no_gt_record", [a, b, c])
    vcf.write_text(vcf.read_text().replace('ID=GQ,Number=1,Type=Integer', 'ID=GQ,Number=1,Type=Float'))
    table, ledger, dropped, _ = ingest(vcf, small_fasta, tmp_path / "out")
    assert [(r["pos"], r["gq"], r["dp"]) for r in table] == [(200, None, 5), (300, 34, None)]
    assert ledger.dropped == {"proband_no_call": 1} and dropped[0][6] == "no GT in FORMAT"


def test_vcf_without_gt_is_refused(tmp_path, write_vcf, small_fasta, small_seq, run_cli):
    rec = snv(small_seq, "chr1", 200)
    rec.fmt, rec.gts = "DP", ("7",)
    vcf = write_vcf("no_gt_declared", [rec])
    vcf.write_text("".join(line for line in vcf.read_text().splitlines(keepends=True)
                           if not line.startswith("##FORMAT=<ID=GT")))
    result = run_cli("ingest", "--vcf", vcf, "--fasta", small_fasta, "--patient", "P", "--out", tmp_path / "o")
    assert result.code == 2 and "declares no FORMAT/GT" in result.stderr
    assert not any((tmp_path / "o").iterdir())


def test_soft_masked_reference_gives_upper_case_alleles(tmp_path, write_vcf):
    """bcftools norm copies bases from the FASTA when it left-aligns; a soft-masked (lower
    case) repeat must not leak lower-case alleles into the table or the VCF."""
    import pysam

    fasta = tmp_path / "soft_masked.fa"
    fasta.write_text(">chr1\nACGTACGTcaaaaaaaaaagTTCCGGAATTCCGGAA\n")
    pysam.faidx(str(fasta))
    vcf = write_vcf("insertion_in_soft_masked_repeat", [Rec("chr1", 15, "A", "AA")], contigs={"chr1": 36})
    table, _, _, paths = ingest(vcf, fasta, tmp_path / "out")
    assert [(r["pos"], r["ref"], r["alt"], r["left_aligned"]) for r in table] == [(9, "C", "CA", True)]
    with pysam.VariantFile(str(paths.vcf)) as out:
        assert [(r.pos, r.ref, r.alts) for r in out] == [(9, "C", ("CA",))]
