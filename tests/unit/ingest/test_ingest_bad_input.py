"""Bad files give one clear line (file, line, problem) + a hint, exit 2, never a traceback."""

from __future__ import annotations

import gzip

from ingest_records import Rec


def assert_one_line_error(result, *fragments: str) -> str:
    assert result.code == 2, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("varrank ingest: error: "), lines[0]
    assert lines[1].startswith("hint: "), lines[1]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def ingest(run_cli, vcf, fasta, out, *extra):
    return run_cli("ingest", "--vcf", vcf, "--fasta", fasta, "--patient", "P1", "--out", out, *extra)


GOOD = [Rec("chr1", 200, "A", "G"), Rec("chr1", 300, "C", "T")]


def fix_refs(records, seq):
    """Give each record the reference base(s) of the small FASTA."""
    for r in records:
        r.ref = seq[r.chrom][r.pos - 1:r.pos - 1 + len(r.ref)]
        if r.alt == r.ref:
            r.alt = "A" if r.ref[0] != "A" else "C"
    return records


def test_not_a_vcf(tmp_path, run_cli_subprocess, small_fasta):
    """Through the real console entry point (a subprocess): one line + hint, exit 2."""
    path = tmp_path / "not_a_vcf.vcf"
    path.write_text("sample\tgene\tvalue\nS1\tBRCA1\t3\n")
    line = assert_one_line_error(ingest(run_cli_subprocess, path, small_fasta, tmp_path / "out"), "not a VCF")
    assert f"{path}:1:" in line


def test_truncated_bgzip(tmp_path, run_cli_subprocess, small_fasta, small_seq, write_vcf):
    good = write_vcf("complete", fix_refs([Rec("chr1", p, "N", "N") for p in range(10, 1900, 3)], small_seq),
                     compress="bgzip")
    data = good.read_bytes()
    cut = tmp_path / "truncated_bgzip.vcf.gz"
    cut.write_bytes(data[: len(data) // 2])
    assert_one_line_error(ingest(run_cli_subprocess, cut, small_fasta, tmp_path / "out"), "truncated")


def test_truncated_plain_gzip(tmp_path, run_cli, small_fasta, small_seq, write_vcf):
    good = write_vcf("complete", fix_refs([Rec("chr1", p, "N", "N") for p in range(10, 1900, 3)], small_seq),
                     compress="gzip")
    data = good.read_bytes()
    cut = tmp_path / "truncated_gzip.vcf.gz"
    cut.write_bytes(data[: len(data) // 2])
    assert_one_line_error(ingest(run_cli, cut, small_fasta, tmp_path / "out"), "truncated")


def test_header_only(tmp_path, run_cli, small_fasta, write_vcf):
    path = write_vcf("header_only", [])
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "no variant records")


def test_no_samples(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = [r.line().split("\t")[:8] for r in fix_refs(list(GOOD), small_seq)]
    path = write_vcf("no_samples_sites_only", ["\t".join(r) for r in records], samples=())
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "no sample columns")


def test_several_samples_no_proband(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = fix_refs([Rec("chr1", 200, "A", "G", gts=("0/1", "0/0", "1/1"))], small_seq)
    path = write_vcf("several_samples_no_proband", records, samples=("KID", "DAD", "MUM"))
    line = assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "3 samples")
    assert "KID, DAD, MUM" in line
    ok = ingest(run_cli, path, small_fasta, tmp_path / "out", "--proband", "KID")
    assert ok.code == 0, ok.stderr


def test_proband_not_in_vcf(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    path = write_vcf("proband_absent", fix_refs(list(GOOD), small_seq))
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out", "--proband", "NOPE"),
                          "'NOPE' is not a sample", "S1")


def test_unsorted_records(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = fix_refs([Rec("chr1", 500, "N", "N"), Rec("chr1", 300, "N", "N")], small_seq)
    path = write_vcf("unsorted_records", records)
    header_lines = sum(1 for line in path.read_text().splitlines() if line.startswith("#"))
    line = assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "not sorted",
                                 "chr1:300 comes after chr1:500")
    assert f":{header_lines + 2}:" in line


def test_contig_reappearing_is_unsorted(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = fix_refs([Rec("chr1", 5, "N", "N"), Rec("chr2", 5, "N", "N"), Rec("chr1", 9, "N", "N")], small_seq)
    path = write_vcf("unsorted_contigs", records)
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "chr1 appears again")


def test_all_contigs_missing_from_fasta(tmp_path, run_cli, small_fasta, write_vcf):
    records = [Rec("chr7", 200, "A", "G"), Rec("chr7", 300, "C", "T")]
    path = write_vcf("contigs_missing_from_fasta", records, contigs={"chr7": 159345973})
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"),
                          "none of the VCF's contigs (chr7) is in the FASTA")


def test_unpadded_slice_is_refused(tmp_path, run_cli, shared_data):
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
    fasta = shared_data / "reference/GRCh38_chr17_42425000-43600000.fa"
    tmp_fasta = tmp_path / "slice.fa"  # the mirror is read-only; its .fai sits beside it already
    tmp_fasta.write_bytes(fasta.read_bytes())
    line = assert_one_line_error(ingest(run_cli, vcf, tmp_fasta, tmp_path / "out", "--proband", "HG00096"),
                                 "none of the VCF's contigs (chr17)")
    assert "chr17:42425000-43600000" in line


def test_grch37_vcf_against_grch38_fasta(tmp_path, run_cli_subprocess, shared_data, padded_grch38_chr17):
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
    line = assert_one_line_error(
        ingest(run_cli_subprocess, vcf, padded_grch38_chr17, tmp_path / "out", "--proband", "HG00096"),
        "build mismatch", "81195210", "83257441")
    assert "GRCh37" in line and "GRCh38" in line


def test_wrong_build_without_header_lengths(tmp_path, run_cli, shared_data, padded_grch38_chr17):
    """No ##contig lengths: the REF alleles themselves reveal the wrong reference."""
    text = (shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf").read_text()
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("##contig"))
    vcf = tmp_path / "grch37_no_contig_lines.vcf"
    vcf.write_text(body.replace("\n17\t", "\nchr17\t"))
    assert_one_line_error(ingest(run_cli, vcf, padded_grch38_chr17, tmp_path / "out", "--proband", "HG00096"),
                          "REF alleles differ from the FASTA")


def test_declared_genome_disagrees(tmp_path, run_cli, shared_data, padded_grch38_chr17):
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
    assert_one_line_error(ingest(run_cli, vcf, padded_grch38_chr17, tmp_path / "out", "--proband", "HG00096",
                                 "--genome", "GRCh37"), "--genome GRCh37")


def test_malformed_record_names_line(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = fix_refs(list(GOOD), small_seq)
    path = write_vcf("malformed_pos", [records[0], "chr1\tabc\t.\tA\tC\t60\tPASS\t.\tGT\t0/1", records[1]])
    header_lines = sum(1 for line in path.read_text().splitlines() if line.startswith("#"))
    line = assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out"), "malformed VCF record")
    assert f":{header_lines + 2}:" in line and "abc" in line


def test_missing_fasta(tmp_path, run_cli, write_vcf, small_seq):
    path = write_vcf("good", fix_refs(list(GOOD), small_seq))
    result = ingest(run_cli, path, tmp_path / "nope.fa", tmp_path / "out")
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "reference FASTA not found" in result.stderr


def test_plain_gzip_fasta_refused(tmp_path, run_cli, write_vcf, small_seq, small_fasta):
    fasta = tmp_path / "plain.fa.gz"
    fasta.write_bytes(gzip.compress(small_fasta.read_bytes()))
    path = write_vcf("good", fix_refs(list(GOOD), small_seq))
    assert_one_line_error(ingest(run_cli, path, fasta, tmp_path / "out"), "plain-gzip")


def test_unsafe_patient_id(tmp_path, run_cli, write_vcf, small_seq, small_fasta):
    path = write_vcf("good", fix_refs(list(GOOD), small_seq))
    result = run_cli("ingest", "--vcf", path, "--fasta", small_fasta, "--patient", "../x", "--out", tmp_path)
    assert result.code == 2 and "unsafe patient ID" in result.stderr and "Traceback" not in result.stderr


def test_failed_run_leaves_no_partial_outputs(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    records = fix_refs([Rec("chr1", 500, "N", "N"), Rec("chr1", 300, "N", "N")], small_seq)
    path = write_vcf("unsorted_records", records)
    out = tmp_path / "out"
    assert ingest(run_cli, path, small_fasta, out).code == 2
    assert not [p for p in out.iterdir()] if out.exists() else True



def test_unknown_genome_name(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    path = write_vcf("good", fix_refs(list(GOOD), small_seq))
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out", "--genome", "hg99"),
                          "unknown genome build 'hg99'")


def test_index_given_but_missing(tmp_path, run_cli, small_fasta, write_vcf, small_seq):
    path = write_vcf("good", fix_refs(list(GOOD), small_seq), compress="bgzip")
    assert_one_line_error(ingest(run_cli, path, small_fasta, tmp_path / "out", "--index", tmp_path / "no.tbi"),
                          "index file not found")


def test_truncated_bcf(tmp_path, run_cli, small_fasta, small_seq, write_vcf):
    good = write_vcf("complete", fix_refs([Rec("chr1", p, "N", "N") for p in range(10, 1900, 3)], small_seq),
                     compress="bcf")
    data = good.read_bytes()
    cut = tmp_path / "truncated.bcf"
    cut.write_bytes(data[: len(data) // 2])
    assert_one_line_error(ingest(run_cli, cut, small_fasta, tmp_path / "out"), "truncated")
