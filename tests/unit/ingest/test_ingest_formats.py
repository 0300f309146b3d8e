"""VCF, bgzipped VCF, plain-gzip VCF and BCF give the same table; contig names follow the FASTA."""

from __future__ import annotations

import pyarrow.parquet as pq
import pysam
import pytest

from ingest_records import Rec
from varrank.ingest import run_ingest


def records(seq):
    out = []
    for chrom, pos in (("chr1", 150), ("chr1", 300), ("chr2", 40)):
        base = seq[chrom][pos - 1]
        out.append(Rec(chrom, pos, base, "T" if base != "T" else "C", gts=("0/1",)))
    out.insert(0, Rec("chr1", 108, "A", "AA", gts=("1/1",)))
    return out


@pytest.mark.parametrize("compress", [None, "bgzip", "gzip", "bcf"])
def test_every_container_gives_the_same_table(tmp_path, write_vcf, small_fasta, small_seq, compress):
    plain = run_ingest(vcf=write_vcf("plain", records(small_seq)), patient="P", out=tmp_path / "plain",
                       fasta=small_fasta)
    other = run_ingest(vcf=write_vcf(f"as_{compress}", records(small_seq), compress=compress), patient="P",
                       out=tmp_path / "other", fasta=small_fasta)
    a, b = pq.read_table(plain.table), pq.read_table(other.table)
    assert a.num_rows == 4
    assert a.equals(b)


def test_bare_contig_names_renamed_to_fasta_style(tmp_path, write_vcf, small_fasta, small_seq):
    recs = records(small_seq)
    for r in recs:
        r.chrom = r.chrom.removeprefix("chr")
    vcf = write_vcf("b37_style_names", recs, contigs={"1": 2000, "2": 1500})
    paths = run_ingest(vcf=vcf, patient="P", out=tmp_path / "out", fasta=small_fasta)
    table = pq.read_table(paths.table).to_pylist()
    assert {r["chrom"] for r in table} == {"chr1", "chr2"}
    assert {(r["pos"], r["alt"]) for r in table if r["chrom"] == "chr1"} >= {(100, "CA")}  # left-aligned
    with pysam.VariantFile(str(paths.vcf)) as out:
        assert list(out.header.contigs) == ["chr1", "chr2"]
        assert {r.chrom for r in out} == {"chr1", "chr2"}


def test_vcf_without_contig_header_lines(tmp_path, write_vcf, small_fasta, small_seq):
    """Many callers write no ##contig lines; with bare names too, both with and without FASTA."""
    recs = records(small_seq)
    for r in recs:
        r.chrom = r.chrom.removeprefix("chr")
    vcf = write_vcf("no_contig_lines_bare_names", recs, contigs={})
    with_fasta = run_ingest(vcf=vcf, patient="P", out=tmp_path / "a", fasta=small_fasta)
    without = run_ingest(vcf=vcf, patient="P", out=tmp_path / "b")
    a = pq.read_table(with_fasta.table).to_pylist()
    b = pq.read_table(without.table).to_pylist()
    assert len(a) == len(b) == 4
    assert {r["chrom"] for r in a} == {"chr1", "chr2"} and {r["chrom"] for r in b} == {"1", "2"}
    assert (100, "C", "CA") in {(r["pos"], r["ref"], r["alt"]) for r in a}  # left-aligned
    assert (108, "A", "AA") in {(r["pos"], r["ref"], r["alt"]) for r in b}  # as written
