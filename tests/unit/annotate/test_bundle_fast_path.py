"""The column-wise source check (vcf_fast) builds the very bundle the line-by-line one builds.

Each real source is built twice: as the build runs it (column-wise, with the line-by-line
pass forbidden, so the test fails if the fast path quietly fell back) and with the
column-wise pass switched off. Every table, lookup index file and manifest entry must match.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from varrank.annotate import bundle_build
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.sources import SourceSpec

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP37 = "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
TGP38 = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"


def _tables(bundle: Path) -> dict:
    con = duckdb.connect(str(bundle / "annotation.duckdb"), read_only=True)
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "ORDER BY 1").fetchall()]
    return {n: con.sql(f'SELECT * FROM "{n}"').to_arrow_table() for n in names}


def _manifest_sources(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text())["sources"]


def _build_both(tmp_path: Path, monkeypatch, **request) -> tuple[Path, Path]:
    def no_slow_path(*args, **kwargs):
        raise AssertionError("the column-wise pass fell back to the line-by-line one")

    with monkeypatch.context() as m:
        m.setattr(bundle_build, "clean_records", no_slow_path)
        fast = build_bundle(BuildRequest(out=tmp_path / "fast", **request))
    with monkeypatch.context() as m:
        m.setattr(bundle_build, "clean_records_fast", lambda *a, **k: False)
        slow = build_bundle(BuildRequest(out=tmp_path / "slow", **request))
    return fast, slow


def _assert_same(fast: Path, slow: Path) -> None:
    a, b = _tables(fast), _tables(slow)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].equals(b[name]), name
    assert _manifest_sources(fast) == _manifest_sources(slow)
    for f in sorted((slow / "lookup").iterdir()):
        assert (fast / "lookup" / f.name).read_bytes() == f.read_bytes(), f.name


def test_clinvar_and_1000_genomes_without_fasta(shared_data, tmp_path, monkeypatch):
    fast, slow = _build_both(tmp_path, monkeypatch, genome="GRCh37", sources=[
        SourceSpec("clinvar", "clinvar", [shared_data / CLINVAR37]),  # gz, a no-ALT record
        SourceSpec("popfreq", "tgp", [shared_data / TGP37])])  # genotype columns, multi-allelic
    _assert_same(fast, slow)
    assert _manifest_sources(fast)["clinvar"]["skipped"] == {"no_alt_allele": 1}


def test_left_aligned_renamed_and_skipped_records(shared_data, chr17_grch38, tmp_path, monkeypatch):
    from annotate_helpers import GNOMAD_V4_HEADER, homopolymer, slice_base, write_gnomad_v4

    gnomad = tmp_path / "gnomad.joint.v4.1.sites.chr17.vcf"
    write_gnomad_v4(shared_data, gnomad)
    anchor, run = homopolymer(shared_data)
    odd = tmp_path / "odd.vcf"
    base = slice_base(shared_data, 43045705)
    odd.write_text(GNOMAD_V4_HEADER + "\n".join([
        f"17\t43045705\t.\t{base.lower()}\t<DEL>\t.\tPASS\tAF=0.1",  # bare contig, symbolic
        f"chr17\t43045706\t.\t{slice_base(shared_data, 43045706)}\t*\t.\tAS_VQSR;AC0\tAF=0.2",
        f"chr17\t43045707\t.\t{slice_base(shared_data, 43045707)}\t.\t.\tPASS\tAF=0.3",
        f"chr5\t1000\t.\tA\tG\t.\tPASS\tAF=0.4",  # not in the FASTA
        f"chr17\t{anchor + run - 1}\t.\taa\ta\t.\tAS_VQSR\t.",  # lower case, right-shifted
        f"17\t43045708\trs1\t{slice_base(shared_data, 43045708)}\tA,C,G,T\t50\tPASS\tAF=.",
    ]).replace("\tA,C,G,T\t", "\t" + ",".join(
        b for b in "ACGT" if b != slice_base(shared_data, 43045708)) + "\t") + "\n")
    fast, slow = _build_both(tmp_path, monkeypatch, genome="GRCh38", fasta=chr17_grch38, sources=[
        SourceSpec("gnomad", "gnomad", [gnomad]), SourceSpec("popfreq", "odd", [odd]),
        SourceSpec("popfreq", "tgp", [shared_data / TGP38])])
    _assert_same(fast, slow)
    skipped = _manifest_sources(fast)["odd"]["skipped"]
    # a lone "*" counts as no ALT allele (vcf_text checks that before symbolic alleles)
    assert skipped == {"symbolic_or_breakend_alt": 1, "no_alt_allele": 2, "contig_not_in_reference": 1}


@pytest.mark.parametrize("problem", ["blank_line", "no_final_newline", "extra_column"])
def test_odd_but_legal_text_goes_line_by_line(shared_data, tmp_path, monkeypatch, problem):
    """What the column-wise pass will not prove, the line-by-line pass still accepts as before."""
    lines = (shared_data / TGP37).read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    if problem == "blank_line":
        lines.insert(first + 5, "")
    elif problem == "extra_column":
        lines[first + 5] += "\textra"
    text = "\n".join(lines) + ("" if problem == "no_final_newline" else "\n")
    src = tmp_path / "tgp.vcf"
    src.write_text(text)
    calls = []
    original = bundle_build.clean_records

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(bundle_build, "clean_records", counting)
    if problem == "no_final_newline":
        with pytest.raises(Exception, match="middle of a line"):
            build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                      sources=[SourceSpec("popfreq", "tgp", [src])]))
    else:
        out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                        sources=[SourceSpec("popfreq", "tgp", [src])]))
        assert _manifest_sources(out)["tgp"]["rows"] > 2000
    assert calls == [1]
