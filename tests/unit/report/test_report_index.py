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


def test_link_template_points_where_the_pipeline_publishes(full_report, tmp_path):
    """REPORT_INDEX sees the reports staged as links into other task folders; the index must
    link the published copies (<patient>/report/<file>), not the task folders."""
    staged = tmp_path / "task" / "reports" / "1"
    staged.mkdir(parents=True)
    source = full_report[0].json
    (staged / source.name).symlink_to(source)
    index = build_index([tmp_path / "task" / "reports"], tmp_path / "task" / "index.html",
                        link_template="{patient}/report/{file}")
    page = index.read_text()
    patient = json.loads(source.read_text())["patient"]["id"]
    assert f'href="{patient}/report/{source.name.replace(".json", ".html")}"' in page
    assert "HTML report missing" not in visible_text(page)
    # An unsafe ID in a report.json never becomes a link.
    doc = json.loads(source.read_text())
    doc["patient"]["id"] = "../../etc"
    (staged / source.name).unlink()
    (staged / source.name).write_text(json.dumps(doc))
    page = build_index([tmp_path / "task" / "reports"], tmp_path / "task" / "index.html",
                       link_template="{patient}/report/{file}").read_text()
    assert "etc/report" not in page and "no safe patient ID for the link" in visible_text(page)
