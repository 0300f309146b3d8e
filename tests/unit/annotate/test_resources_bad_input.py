"""Bad source files: each gives a clear error naming file and line, and leaves no bundle behind."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP37 = "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
TGP38 = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"


def _build(tmp_path: Path, kind: str, src: Path, genome: str = "GRCh37", fasta=None,
           name: str | None = None) -> Path:
    return build_bundle(BuildRequest(out=tmp_path / "bundle", genome=genome, fasta=fasta,
                                     sources=[SourceSpec(kind, name or kind, [src])]))


def _assert_nothing_left(tmp_path: Path) -> None:
    assert not (tmp_path / "bundle").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle")]


def _first_record_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if not line.startswith("#"))


def test_truncated_gzip(shared_data, tmp_path):
    data = (shared_data / CLINVAR37).read_bytes()
    src = tmp_path / "clinvar_truncated.vcf.gz"
    src.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "clinvar", src)
    assert str(src) in str(err.value) and "truncated" in str(err.value)
    assert err.value.line and err.value.line > 100
    _assert_nothing_left(tmp_path)


def test_corrupt_gzip_bytes(shared_data, tmp_path):
    data = bytearray((shared_data / CLINVAR37).read_bytes())
    for i in range(30000, 30400):
        data[i] ^= 0x5A
    src = tmp_path / "clinvar_corrupt.vcf.gz"
    src.write_bytes(bytes(data))
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "clinvar", src)
    assert str(src) in str(err.value) and "corrupt" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_plain_vcf_cut_mid_line(shared_data, tmp_path):
    text = (shared_data / TGP37).read_text()
    src = tmp_path / "tgp_cut.vcf"
    src.write_text(text[: len(text) // 2].rstrip("\n")[:-5])
    n_lines = src.read_text().count("\n") + 1
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", src, name="tgp")
    assert err.value.line == n_lines and "middle of a line" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_source_of_the_wrong_build(shared_data, tmp_path):
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", shared_data / TGP38, genome="GRCh37", name="tgp")
    assert "is GRCh38 (##contig lengths) but the bundle is GRCh37" in str(err.value)
    assert str(shared_data / TGP38) in str(err.value)
    _assert_nothing_left(tmp_path)


def test_clinvar_header_of_the_wrong_build_names_the_header_line(shared_data, tmp_path):
    with gzip.open(shared_data / CLINVAR37, "rt") as handle:
        lines = handle.read().splitlines()
    src = tmp_path / "clinvar_b38_header.vcf"
    src.write_text("\n".join(l.replace("##reference=GRCh37", "##reference=GRCh38") for l in lines) + "\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "clinvar", src)
    assert err.value.line == 4 and "GRCh38" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_malformed_info_value(shared_data, tmp_path):
    lines = (shared_data / TGP37).read_text().splitlines()
    target = _first_record_line(lines) + 10
    lines[target] = lines[target].replace(";AF=", ";AF=0.0o4x", 1)
    src = tmp_path / "tgp_bad_af.vcf"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", src, name="tgp")
    assert err.value.line == target + 1 and "INFO/AF=" in str(err.value) and "Float" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_malformed_pos(shared_data, tmp_path):
    lines = (shared_data / TGP37).read_text().splitlines()
    target = _first_record_line(lines) + 3
    cols = lines[target].split("\t")
    cols[1] = "41,196,400"
    lines[target] = "\t".join(cols)
    src = tmp_path / "tgp_bad_pos.vcf"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", src, name="tgp")
    assert err.value.line == target + 1 and "POS" in str(err.value)


def test_conflicting_duplicate_records(shared_data, tmp_path):
    lines = (shared_data / TGP37).read_text().splitlines()
    target = _first_record_line(lines) + 20
    dup = lines[target].replace(";AF=", ";AF=0.5;XX=", 1)
    lines.insert(target + 1, dup)
    src = tmp_path / "tgp_dup.vcf"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", src, name="tgp")
    assert err.value.line == target + 2 and f"first at line {target + 1}" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_exact_duplicate_records_are_collapsed_and_counted(shared_data, tmp_path):
    lines = (shared_data / TGP37).read_text().splitlines()
    target = _first_record_line(lines) + 20
    lines.insert(target + 1, lines[target])
    src = tmp_path / "tgp_exact_dup.vcf"
    src.write_text("\n".join(lines) + "\n")
    out = _build(tmp_path, "popfreq", src, name="tgp")
    entry = json.loads((out / "manifest.json").read_text())["sources"]["tgp"]
    assert entry["skipped"]["exact_duplicate_record"] == 1 and entry["records_read"] == 2053


def test_duplicates_after_left_alignment(shared_data, chr17_grch38, tmp_path):
    from annotate_helpers import GNOMAD_V4_HEADER, homopolymer, slice_base

    anchor, run = homopolymer(shared_data)
    left = f"chr17\t{anchor}\t.\t{slice_base(shared_data, anchor, 2)}\t{slice_base(shared_data, anchor)}\t.\tPASS\tAF=0.1"
    right = f"chr17\t{anchor + run - 1}\t.\tAA\tA\t.\tPASS\tAF=0.2"
    src = tmp_path / "gnomad_dup_after_norm.vcf"
    src.write_text(GNOMAD_V4_HEADER + left + "\n" + right + "\n")
    header_lines = GNOMAD_V4_HEADER.count("\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "gnomad", src, genome="GRCh38", fasta=chr17_grch38)
    assert "after normalisation" in str(err.value)
    assert err.value.line == header_lines + 1 and f"lines {header_lines + 1}, {header_lines + 2}" in str(err.value)
    _assert_nothing_left(tmp_path)


def test_ref_allele_that_disagrees_with_the_fasta(shared_data, chr17_grch38, tmp_path):
    lines = (shared_data / TGP38).read_text().splitlines()
    target = _first_record_line(lines) + 5
    cols = lines[target].split("\t")
    cols[3] = {"A": "C", "C": "G", "G": "T", "T": "A"}[cols[3][0]] + cols[3][1:]
    lines[target] = "\t".join(cols)
    src = tmp_path / "tgp_ref_mismatch.vcf"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "popfreq", src, genome="GRCh38", fasta=chr17_grch38, name="tgp")
    assert "Reference allele mismatch" in str(err.value) and f"chr17:{cols[1]}" in str(err.value)
    assert "wrong genome build" in err.value.hint
    _assert_nothing_left(tmp_path)


def test_failed_rebuild_keeps_the_previous_bundle(shared_data, tmp_path):
    good = _build(tmp_path, "clinvar", shared_data / CLINVAR37)
    before = (good / "manifest.json").read_text()
    bad = tmp_path / "not_clinvar.vcf"
    bad.write_text((shared_data / TGP37).read_text())
    with pytest.raises(ResourceError, match="not a ClinVar VCF"):
        build_bundle(BuildRequest(out=good, genome="GRCh37", force=True,
                                  sources=[SourceSpec("clinvar", "clinvar", [bad])]))
    assert (good / "manifest.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_inhouse_row_with_wrong_column_count(tmp_path):
    tsv = tmp_path / "lab.tsv"
    tsv.write_text("chrom\tpos\tref\talt\tclassification\n1\t911595\tA\tG\tPathogenic\n"
                   "1\t949654\tA\tG\n")
    with pytest.raises(ResourceError) as err:
        _build(tmp_path, "inhouse", tsv)
    assert err.value.line == 3 and "columns" in str(err.value)


def test_constraint_table_of_unknown_layout(tmp_path):
    bad = tmp_path / "constraint.tsv"
    bad.write_text("gene\tscore\nBRCA1\t0.9\n")
    with pytest.raises(ResourceError, match="not a gnomAD constraint table"):
        build_bundle(BuildRequest(out=tmp_path / "bundle", genome="GRCh37", sources=[],
                                  constraint=bad))
    _assert_nothing_left(tmp_path)


def test_gene_table_of_unknown_layout_via_the_cli(tmp_path, capsys):
    """`varrank resources build --genes` with a file that is not an HGNC table: exit 2, one
    line naming the file and line, a hint, no bundle."""
    from varrank.cli import main

    bad = tmp_path / "genes.tsv"
    bad.write_text("gene\tentrez\nGBA1\t2629\n")
    code = main(["resources", "build", "--genome", "GRCh37", "--no-hpo", "--genes", str(bad),
                 "--out", str(tmp_path / "bundle")])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad}:1: not an HGNC gene table" in err and "hint:" in err
    assert "Traceback" not in err
    _assert_nothing_left(tmp_path)
