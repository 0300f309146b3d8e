"""The cohort index links every report with its headline findings."""

from __future__ import annotations

import json
import shutil

from report_helpers import assert_no_missing_words, visible_text
from varrank.report.index import build_index


def test_index_links_each_report_with_headlines(full_report, ingest_report, tmp_path):
    run = tmp_path / "results"
    for name, outputs in (("patientA", full_report[0]), ("patientB", ingest_report[0])):
        shutil.copytree(outputs.json.parent, run / name)
    # a second patient id so the two rows differ
    doc_b = json.loads((run / "patientB" / "AJ-HG002.report.json").read_text())
    doc_b["patient"]["id"] = "AJ-HG002-ingest-only"
    (run / "patientB" / "AJ-HG002.report.json").write_text(json.dumps(doc_b))
    (run / "broken").mkdir()
    (run / "broken" / "X9.report.json").write_text("{not json")
    index = build_index([run], run / "index.html", title="run 2026-01")
    page = index.read_text()
    text = visible_text(page)
    assert 'href="patientA/AJ-HG002.report.html"' in page
    assert 'href="patientB/AJ-HG002.report.html"' in page
    assert "PERM1" in text and "Likely pathogenic" in text
    assert "AJ-HG002-ingest-only" in text and "ANNOTATE and PRIORITISE were not run" in text
    assert "X9" in text and "unreadable report.json" in text  # listed, not dropped
    assert "not run: ANNOTATE, SCORE, PRIORITISE" in text
    assert_no_missing_words(page)
