"""Phenotype evidence lists its best HPO term pairs as a table (one pair per row), not as one
joined line, and the untrusted term labels stay escaped."""

from __future__ import annotations

from varrank.report.render import _environment, evidence_view

PHENOTYPE = {"kind": "phenotype", "status": "met", "score": 0.81, "factor": 1.6,
             "disease": "OMIM:604370", "disease_name": "Breast-ovarian cancer, familial, 1",
             "matches": [
                 {"patient": "HP:0003002", "patient_name": "Breast carcinoma",
                  "matched": "HP:0003002", "matched_name": "Breast carcinoma", "ic": 4.123},
                 {"patient": "HP:0100615", "patient_name": "<script>alert(1)</script>",
                  "matched": "HP:0100615", "matched_name": "Ovarian neoplasm", "ic": 5.0}]}


def test_matches_become_rows_not_a_joined_line():
    view = evidence_view([PHENOTYPE])
    block = view["blocks"][0]
    assert [m["patient"] for m in block["matches"]] == [
        "Breast carcinoma (HP:0003002)", "<script>alert(1)</script> (HP:0100615)"]
    assert block["matches"][0]["ic"] == 4.12
    assert "Term matches" not in [k for k, _v in block["pairs"]]


def test_unexpected_match_shape_falls_back_to_text():
    view = evidence_view([{"kind": "phenotype", "matches": ["HP:1", "HP:2"]}])
    block = view["blocks"][0]
    assert block["matches"] == [] and ("Term matches", "HP:1; HP:2") in block["pairs"]


def test_rendered_table_escapes_labels():
    macro = _environment().from_string(
        '{% from "_macros.j2" import evidence_list %}{{ evidence_list(items, "e1") }}')
    html = macro.render(items=[PHENOTYPE])
    assert "<caption>Best-matching HPO terms</caption>" in html
    assert html.count("<tr><td>") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (HP:0100615)" in html
    assert "<script>alert" not in html
