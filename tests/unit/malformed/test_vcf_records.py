"""Record-level problems in VCF / bgzip VCF / gzip VCF / BCF / gVCF: the bad record is dropped
(counted, with its line and reason) or kept with a warning, and every other record reaches
the table, with a balanced ledger. Each case reproduces a crash or silent loss that INGEST had
(a traceback, a SIGSEGV inside cyvcf2, or a record lost as 'removed_by_bcftools_norm')."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass

import pysam
import pytest

from malformed_helpers import (HEADER, Record, assert_balanced, good_records, header_line_count,
                               read_ingest, vcf_text, write_vcf)

BAD = 4  # index of the record each case damages


def cols(n: int) -> Callable[[str], str]:
    return lambda line: "\t".join(line.split("\t")[:n])


def column(index: int, value: str) -> Callable[[str], str]:
    def _set(line: str) -> str:
        parts = line.split("\t")
        parts[index] = value
        return "\t".join(parts)

    return _set


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[str], str]
    outcome: str  # "dropped:<reason>" or "kept:<kind> <key>" (warning + synthesised header line)
    at: int = BAD  # which record is damaged


CASES = [
    Case("five_columns", cols(5), "dropped:wrong_column_count"),
    Case("seven_columns", cols(7), "dropped:wrong_column_count"),
    Case("sites_only_record_in_sample_vcf", cols(8), "dropped:wrong_column_count"),
    Case("format_without_sample_column", cols(9), "dropped:wrong_column_count"),
    Case("extra_sample_column", lambda line: line + "\t0/1:30:99", "dropped:wrong_column_count"),
    Case("trailing_tab", lambda line: line + "\t", "dropped:wrong_column_count"),
    Case("spaces_instead_of_tabs", lambda line: line.replace("\t", " "), "dropped:wrong_column_count"),
    Case("undeclared_contig_too_few_columns", lambda line: "chrUn_x\t5", "dropped:wrong_column_count"),
    Case("pos_zero", column(1, "0"), "dropped:pos_zero", at=0),
    Case("non_utf8_info_value", lambda line: line.replace("DP=30", "DP=30;NOTE=caf\udce9"), "dropped:not_utf8"),
    Case("non_utf8_id", lambda line: line.replace("\t.\t", "\trs\udcff1\t", 1), "dropped:not_utf8"),
    Case("empty_column", column(6, ""), "dropped:empty_column"),
    Case("nul_byte_in_chrom", column(0, "\x00"), "dropped:nul_character"),
    Case("empty_chrom", column(0, ""), "dropped:empty_column"),
    Case("incomplete_genotype", column(9, "0/"), "dropped:malformed_record"),
    Case("undeclared_contig_with_incomplete_genotype",
         lambda line: column(9, "0/")(column(0, "chrUn_y")(line)), "dropped:malformed_record"),
    Case("invalid_contig_name", column(0, "chr<1>"), "dropped:invalid_contig_name"),
    Case("undeclared_info_key", lambda line: line.replace("DP=30", "DP=30;NOPE=1,2"), "kept:INFO NOPE"),
    Case("undeclared_info_flag", lambda line: line.replace("DP=30", "DP=30;SOMATIC"), "kept:INFO SOMATIC"),
    Case("undeclared_filter", lambda line: line.replace("PASS", "q10"), "kept:FILTER q10"),
    Case("undeclared_format_key", lambda line: line.replace("GT:DP:GQ", "GT:DP:GQ:XY") + ":7",
         "kept:FORMAT XY"),
]
FORMATS = [None, "bgzip"]


def _ingest(run_cli, vcf, fasta, out, *extra):
    return run_cli("ingest", "--vcf", vcf, "--fasta", fasta, "--patient", "P1", "--out", out, *extra)


@pytest.mark.parametrize("compress", FORMATS, ids=["vcf", "vcf.gz"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_record_never_loses_its_neighbours(case, compress, tmp_path, run_cli, small_fasta):
    records = good_records()
    lines = [r.line() for r in records]
    lines[case.at] = case.mutate(lines[case.at])
    text = vcf_text(lines)
    vcf = write_vcf(tmp_path / f"{case.name}.vcf", text, compress)
    result = _ingest(run_cli, vcf, small_fasta, tmp_path / "out")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    outcome = read_ingest(tmp_path / "out")
    assert_balanced(outcome)
    expected = [(r.chrom, r.pos) for r in records]
    bad_line = header_line_count(text) + case.at + 1
    kind, what = case.outcome.split(":")
    if kind == "dropped":
        del expected[case.at]
        assert outcome.ledger["dropped"] == {what: 1}
        assert outcome.dropped[0][0] == str(bad_line) and outcome.dropped[0][5] == what
    else:
        key_kind, key = what.split()
        assert outcome.ledger["dropped"] == {}
        warning = f"{vcf}:{bad_line}: {key_kind} key '{key}' is not declared in the header"
        assert any(warning in n for n in outcome.ledger["notes"])
        with pysam.VariantFile(str(tmp_path / "out" / "P1.norm.vcf.gz")) as norm:
            declared = {"INFO": norm.header.info, "FILTER": norm.header.filters,
                        "FORMAT": norm.header.formats}[key_kind]
            assert key in declared
    assert outcome.keys == expected


def test_plain_gzip_vcf_with_a_bad_record(tmp_path, run_cli, small_fasta):
    records = good_records()
    lines = [r.line() for r in records]
    lines[BAD] = cols(6)(lines[BAD])
    vcf = write_vcf(tmp_path / "wrong_columns_plain_gzip.vcf", vcf_text(lines), "gzip")
    assert _ingest(run_cli, vcf, small_fasta, tmp_path / "out").code == 0
    outcome = read_ingest(tmp_path / "out")
    assert_balanced(outcome)
    assert outcome.ledger["dropped"] == {"wrong_column_count": 1} and len(outcome.keys) == len(records) - 1


INSERTED = {
    "blank_line": "",
    "whitespace_only_line": "   ",
    "carriage_return_only_line": "\r",
    "comment_line_among_records": "# a note a tool left",
}


@pytest.mark.parametrize("name", INSERTED)
def test_lines_that_are_not_records_are_skipped_and_noted(name, tmp_path, run_cli, small_fasta):
    """A blank line (even at the end of the file) made cyvcf2 return a half-built record whose
    REF crashed the process (SIGSEGV)."""
    records = good_records()
    lines = [r.line() for r in records]
    lines.insert(BAD, INSERTED[name])
    text = vcf_text(lines)
    vcf = write_vcf(tmp_path / f"{name}.vcf", text)
    assert _ingest(run_cli, vcf, small_fasta, tmp_path / "out").code == 0
    outcome = read_ingest(tmp_path / "out")
    assert_balanced(outcome)
    assert outcome.keys == [(r.chrom, r.pos) for r in records]
    assert outcome.ledger["records_in"] == len(records) and outcome.ledger["dropped"] == {}
    line = header_line_count(vcf_text([])) + BAD + 1
    assert any(f"line {line}" in note and "skipped" in note for note in outcome.ledger["notes"])


@pytest.mark.parametrize("compress", [None, "bgzip"], ids=["vcf", "vcf.gz"])
def test_trailing_blank_lines(compress, tmp_path, run_cli, small_fasta):
    records = good_records()
    vcf = write_vcf(tmp_path / "trailing_blank_lines.vcf", vcf_text([r.line() for r in records]) + "\n\n",
                    compress)
    assert _ingest(run_cli, vcf, small_fasta, tmp_path / "out").code == 0
    outcome = read_ingest(tmp_path / "out")
    assert outcome.keys == [(r.chrom, r.pos) for r in records] and outcome.ledger["dropped"] == {}


def test_crlf_line_endings_keep_every_record(tmp_path, run_cli, small_fasta):
    records = good_records()
    text = vcf_text([r.line() for r in records]).replace("\n", "\r\n")
    vcf = write_vcf(tmp_path / "crlf_line_endings.vcf", text)
    assert _ingest(run_cli, vcf, small_fasta, tmp_path / "out").code == 0
    outcome = read_ingest(tmp_path / "out")
    assert outcome.keys == [(r.chrom, r.pos) for r in records] and outcome.ledger["dropped"] == {}


def test_undeclared_key_used_again_later_and_with_others(tmp_path, run_cli, small_fasta):
    """The second record with a key htslib declared on the fly was written with a key id the
    cyvcf2 Writer's header lacked ('INFO tag id=31 is too large'); now every record is kept."""
    records = good_records()
    lines = [r.line() for r in records]
    for i in (2, 5, 9):
        lines[i] = lines[i].replace("DP=30", "DP=30;NOPE=x").replace("PASS", "q10")
    lines[7] = lines[7].replace("GT:DP:GQ", "GT:DP:GQ:XY") + ":1"
    vcf = write_vcf(tmp_path / "undeclared_keys_repeated.vcf", vcf_text(lines))
    result = _ingest(run_cli, vcf, small_fasta, tmp_path / "out")
    assert result.code == 0, result.stderr
    outcome = read_ingest(tmp_path / "out")
    assert outcome.keys == [(r.chrom, r.pos) for r in records]
    with pysam.VariantFile(str(tmp_path / "out" / "P1.norm.vcf.gz")) as norm:
        rows = list(norm)
        assert [r.info.get("NOPE") for r in rows].count(("x",)) == 3
        assert [list(r.filter) for r in rows].count(["q10"]) == 3
        assert rows[7].samples["S1"]["XY"] == ("1",)


def test_undeclared_gt_is_declared_as_the_genotype(tmp_path, run_cli, small_fasta):
    records = good_records()
    header = HEADER.replace('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n', "")
    vcf = write_vcf(tmp_path / "undeclared_format_gt.vcf", vcf_text([r.line() for r in records], header=header))
    result = _ingest(run_cli, vcf, small_fasta, tmp_path / "out")
    assert result.code == 0, result.stderr
    outcome = read_ingest(tmp_path / "out")
    assert outcome.keys == [(r.chrom, r.pos) for r in records]
    assert any("FORMAT key 'GT' is not declared" in n for n in outcome.ledger["notes"])


def test_pos_zero_in_bcf(tmp_path, run_cli, small_fasta):
    records = good_records()
    lines = [r.line() for r in records]
    first = lines[0].split("\t")
    lines.insert(0, "\t".join([first[0], "0", *first[2:]]))
    vcf = write_vcf(tmp_path / "pos_zero.vcf", vcf_text(lines), "bcf")
    assert _ingest(run_cli, vcf, small_fasta, tmp_path / "out").code == 0
    outcome = read_ingest(tmp_path / "out")
    assert_balanced(outcome)
    assert outcome.ledger["dropped"] == {"pos_zero": 1} and outcome.dropped[0][0] == "record 1"
    assert outcome.keys == [(r.chrom, r.pos) for r in records]


GVCF_BLOCK = "chr1\t1\t.\t{ref}\t<NON_REF>\t.\t.\tEND=50\tGT:DP:GQ\t0/0:20:60"
GVCF_DAMAGE = {  # damage -> (what it does to the block, the block's reason)
    "pos_zero_block": (column(1, "0"), "gvcf_reference_block"),
    "block_too_few_columns": (cols(8), "wrong_column_count"),
    "undeclared_key_in_block": (lambda b: b.replace("END=50", "END=50;MIN_DP=3"), "gvcf_reference_block"),
    "variant_with_undeclared_key": (lambda b: b, "gvcf_reference_block"),
}


@pytest.mark.parametrize("damage", GVCF_DAMAGE)
def test_gvcf(damage, tmp_path, run_cli, small_fasta):
    """gVCF: a reference block before variant records that carry <NON_REF>; one damaged."""
    records = good_records()
    lines = [column(4, f"{r.line().split(chr(9))[4]},<NON_REF>")(r.line()) for r in records]
    mutate, block_reason = GVCF_DAMAGE[damage]
    if damage == "variant_with_undeclared_key":
        lines[3] = lines[3].replace("DP=30", "DP=30;BaseQRankSum=1.2")
    lines.insert(0, mutate(GVCF_BLOCK.format(ref=Record("chr1", 1).ref)))
    vcf = write_vcf(tmp_path / f"gvcf_{damage}.g.vcf", vcf_text(lines), "bgzip")
    result = _ingest(run_cli, vcf, small_fasta, tmp_path / "out")
    assert result.code == 0, result.stderr
    outcome = read_ingest(tmp_path / "out")
    assert_balanced(outcome)
    assert outcome.keys == [(r.chrom, r.pos) for r in records]
    assert outcome.ledger["dropped"] == {block_reason: 1, "gvcf_non_ref_allele": len(records)}


def test_every_record_of_a_gzip_member_kept(tmp_path, run_cli, small_fasta):
    """Two gzip members (cat a.vcf.gz b.gz): the second member's records are read too."""
    records = good_records()
    lines = [r.line() for r in records]
    text = vcf_text(lines[:6])
    path = tmp_path / "two_gzip_members.vcf.gz"
    path.write_bytes(gzip.compress(text.encode(), mtime=0)
                     + gzip.compress("".join(f"{ln}\n" for ln in lines[6:]).encode(), mtime=0))
    assert _ingest(run_cli, path, small_fasta, tmp_path / "out").code == 0
    assert read_ingest(tmp_path / "out").keys == [(r.chrom, r.pos) for r in records]


@pytest.mark.parametrize("with_fasta", [True, False], ids=["fasta", "no_fasta"])
def test_contigs_the_header_never_declares(with_fasta, tmp_path, run_cli, small_fasta):
    """Declared to htslib (and to the first pass's Writer, at the same index) line by line."""
    records = good_records()
    text = "".join(ln + "\n" for ln in vcf_text([r.line() for r in records]).split("\n")
                   if ln and not ln.startswith("##contig"))
    vcf = write_vcf(tmp_path / "no_contig_lines.vcf", text, "bgzip")
    extra = ["--fasta", small_fasta] if with_fasta else []
    result = run_cli("ingest", "--vcf", vcf, *extra, "--patient", "P1", "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    outcome = read_ingest(tmp_path / "out")
    assert outcome.keys == [(r.chrom, r.pos) for r in records] and outcome.ledger["dropped"] == {}
    with pysam.VariantFile(str(tmp_path / "out" / "P1.norm.vcf.gz")) as norm:
        assert [(r.chrom, r.pos) for r in norm] == outcome.keys
