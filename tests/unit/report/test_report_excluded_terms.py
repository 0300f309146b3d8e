"""Excluded HPO terms reach the report: listed, labelled and escaped, under the indication."""

from __future__ import annotations

import json

import pyarrow as pa

from varrank.core.schema import arrow_schema
from varrank.core.table_io import write_table
from varrank.report.stage import run_report


def test_excluded_terms_are_listed_in_json_and_html(tmp_path):
    rows = {f.name: [None] for f in arrow_schema("ingest")}
    rows.update(chrom=["chr1"], pos=[100], ref=["A"], alt=["G"], variant_key=["chr1-100-A-G"])
    table = write_table(pa.Table.from_pydict(rows, schema=arrow_schema("ingest")),
                        tmp_path / "P1.prioritise.parquet",
                        {"patient": "P1", "hpo_terms": ["HP:0001250"],
                         "hpo_excluded": ["HP:0000365", "<b>HP:x</b>"],
                         "stages": [{"stage": "ingest", "varrank_version": "0"}]})
    out = run_report(table, tmp_path / "r")
    doc = json.loads(out.json.read_text())
    excluded = doc["indication"]["excluded_terms"]
    assert [t["id"] for t in excluded] == ["HP:0000365", "<b>HP:x</b>"]
    assert excluded[0]["label"] == "Hearing impairment" and excluded[1]["status"] == "malformed"
    html = out.html.read_text()
    assert 'id="hpo-excluded"' in html and "Hearing impairment" in html
    assert "<b>HP:x</b>" not in html and "&lt;b&gt;HP:x&lt;/b&gt;" in html
