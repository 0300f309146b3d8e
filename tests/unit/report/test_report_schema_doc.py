"""report.json's JSON Schema and its documentation agree."""

from __future__ import annotations

import re
from pathlib import Path

from varrank.report.validate import report_schema, schema_errors

DOC = Path(__file__).resolve().parents[3] / "docs" / "report_schema.md"


def test_every_top_level_and_finding_key_is_documented():
    text = DOC.read_text()
    schema = report_schema()
    documented = set(re.findall(r"^\| `([a-z_]+)`", text, flags=re.M))
    documented |= {k for cell in re.findall(r"^\| (`[^|]+)\|", text, flags=re.M)
                   for k in re.findall(r"`([a-z_]+)`", cell)}
    assert set(schema["required"]) <= documented
    assert set(schema["$defs"]["finding"]["required"]) <= documented


def test_schema_rejects_what_it_should(full_report):
    import json

    doc = json.loads(full_report[0].json.read_text())
    assert schema_errors(doc) == []
    bad = dict(doc, schema_version=2)
    assert any("schema_version" in e for e in schema_errors(bad))
    del bad["findings"]
    assert any("findings" in e for e in schema_errors(bad))
    doc["findings"]["items"][0]["clinvar"]["stars"] = 5
    assert any("stars" in e for e in schema_errors(doc))
