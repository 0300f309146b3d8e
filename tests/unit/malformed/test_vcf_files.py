"""Problems with a whole VCF/BCF (header, samples, encoding, order, truncation): exit 2, one
line naming the file (and line) plus a hint, never a traceback, no output left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from malformed_helpers import (HEADER, assert_one_line_error, good_records, header_line_count,
                               vcf_text, write_vcf)

REPO_ROOT = Path(__file__).resolve().parents[3]


def _lines() -> list[str]:
    return [r.line() for r in good_records()]


def _with_samples(samples: tuple[str, ...]) -> str:
    extra = "\t0/0:30:99" * (len(samples) - 1)
    return vcf_text([line + extra for line in _lines()], samples=samples)


def _second_header() -> str:
    text = vcf_text(_lines())
    return text + text  # cat a.vcf b.vcf


def _chrom_line(text: str, new: str) -> str:
    return "\n".join(new if ln.startswith("#CHROM") else ln for ln in text.split("\n"))


BASE = vcf_text(_lines())
N_HEADER = header_line_count(BASE)
# name -> (file text, fragment of the message, line named or None, extra ingest arguments)
CASES = {
    "non_numeric_pos": (BASE.replace("\t250\t", "\tabc\t", 1), "malformed VCF record", N_HEADER + 2, ()),
    "negative_pos": (BASE.replace("\t250\t", "\t-250\t", 1), "malformed VCF record", N_HEADER + 2, ()),
    "pos_beyond_62_bits": (BASE.replace("\t250\t", "\t" + "9" * 25 + "\t", 1), "malformed VCF record",
                           N_HEADER + 2, ()),
    "duplicated_sample_names_with_proband": (_with_samples(("S1", "S1")), "'S1' appears twice", N_HEADER,
                                             ("--proband", "S1")),
    "duplicated_sample_names": (_with_samples(("KID", "DAD", "KID")), "columns 10 and 12", N_HEADER, ()),
    "non_utf8_sample_name": (_with_samples(("S1", "M\udce9re")), "not valid UTF-8", N_HEADER,
                             ("--proband", "S1")),
    "empty_sample_name": (_with_samples(("S1", "")), "has no name", N_HEADER, ("--proband", "S1")),
    "non_utf8_header_line": (BASE.replace('Description="Depth"', 'Description="Tiefe \udcfc"'),
                             "header line is not valid UTF-8", 4, ()),
    "second_header_concatenated_vcfs": (_second_header(), "second '#CHROM'", N_HEADER + 12 + N_HEADER, ()),
    "no_chrom_line": ("".join(ln + "\n" for ln in BASE.split("\n") if not ln.startswith("#CHROM") and ln),
                      "no '#CHROM' column line", N_HEADER, ()),
    "column_line_not_chrom": (_chrom_line(BASE, "#chrom\tpos"), "not '#CHROM", N_HEADER, ()),
    "chrom_line_with_spaces": (_chrom_line(BASE, "#CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1"),
                               "8 tab-separated", N_HEADER, ()),
    "format_column_misnamed": (_chrom_line(BASE, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFMT\tS1"),
                               "not 'FORMAT'", N_HEADER, ()),
    "unsorted_positions": (BASE.replace("\t250\t", "\t99\t", 1), "not sorted", N_HEADER + 2, ()),
    "header_only": (vcf_text([]), "no variant records", None, ()),
    "sites_only": (vcf_text([ln.rsplit("\t", 2)[0] for ln in _lines()], samples=()).replace("\tFORMAT", ""),
                   "no sample columns", None, ()),
    "not_a_vcf": ("gene\tscore\nBRCA1\t3\n", "not a VCF", 1, ()),
    "format_declared_with_two_ids": (BASE.replace("##FORMAT=<ID=DP,Number=1,Type=Integer,",
                                                  "##FORMAT=<ID=DP,Number=1,Type=Integer,ID=GQ,"),
                                     None, None, ()),
    "gt_declared_as_integer": (BASE.replace("ID=GT,Number=1,Type=String", "ID=GT,Number=1,Type=Integer"),
                               "malformed VCF record", N_HEADER + 1, ()),
    "binary_garbage": (bytes(range(256)) * 8, "not a VCF", 1, ()),
}


def _ingest(run_cli, vcf, fasta, out, *extra):
    return run_cli("ingest", "--vcf", vcf, "--fasta", fasta, "--patient", "P1", "--out", out, *extra)


@pytest.mark.parametrize("name", CASES)
def test_whole_file_problem(name, tmp_path, run_cli, small_fasta):
    text, fragment, line, extra = CASES[name]
    vcf = write_vcf(tmp_path / f"{name}.vcf", text)
    result = _ingest(run_cli, vcf, small_fasta, tmp_path / "out", *extra)
    if fragment is None:  # htslib reads it; what matters is that nothing crashes
        assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
        return
    assert_one_line_error(result, "ingest", vcf, fragment, line=line)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("how", ["empty", "directory", "missing"])
def test_no_file(how, tmp_path, run_cli, small_fasta):
    path = tmp_path / f"{how}.vcf"
    if how == "empty":
        path.write_bytes(b"")
    elif how == "directory":
        path.mkdir()
    assert_one_line_error(_ingest(run_cli, path, small_fasta, tmp_path / "out"), "ingest", path)


@pytest.mark.parametrize("compress", ["bgzip", "gzip", "bcf"])
def test_truncated(compress, tmp_path, run_cli, small_fasta):
    lines = [r.line() for r in good_records(400)]
    good = write_vcf(tmp_path / "complete.vcf", vcf_text(lines), compress)
    data = good.read_bytes()
    cut = tmp_path / f"truncated_{compress}{good.suffix}"
    cut.write_bytes(data[: len(data) // 2])
    assert_one_line_error(_ingest(run_cli, cut, small_fasta, tmp_path / "out"), "ingest", cut)


def test_corrupt_gzip_block_in_the_records(tmp_path, run_cli, small_fasta):
    lines = [r.line() for r in good_records(400)]
    good = write_vcf(tmp_path / "complete.vcf", vcf_text(lines), "gzip")
    data = bytearray(good.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    bad = tmp_path / "corrupt_gzip_data.vcf.gz"
    bad.write_bytes(bytes(data))
    assert_one_line_error(_ingest(run_cli, bad, small_fasta, tmp_path / "out"), "ingest", bad)


def test_duplicated_samples_through_varrank_run(tmp_path, run_cli, small_fasta):
    """As the issue found it: `varrank run --proband` on a VCF with two columns named alike."""
    vcf = write_vcf(tmp_path / "duplicated_samples.vcf", _with_samples(("S1", "S1")))
    result = run_cli("run", "--vcf", vcf, "--fasta", small_fasta, "--patient", "P1", "--proband", "S1",
                     "--skip", "prioritise", "--out", tmp_path / "out")
    assert_one_line_error(result, "run", vcf, "appears twice", line=N_HEADER)


def test_undeclared_key_warning_is_one_line_on_stderr(tmp_path, small_fasta):
    """Through the console entry point: the warning is one log line naming file and line."""
    lines = _lines()
    lines[3] = lines[3].replace("DP=30", "DP=30;NOPE=1")
    vcf = write_vcf(tmp_path / "undeclared_info_key.vcf", vcf_text(lines, header=HEADER))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "src"))
    proc = subprocess.run([sys.executable, "-m", "varrank", "-q", "ingest", "--vcf", str(vcf), "--fasta",
                           str(small_fasta), "--patient", "P1", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(warnings) == 1 and " varrank WARNING " in warnings[0]
    assert f"{vcf}:{N_HEADER + 4}: INFO key 'NOPE' is not declared in the header; record kept" in warnings[0]
