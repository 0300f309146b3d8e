"""Untrusted text (VCF ID/FILTER/INFO, sample names, HPO labels, QC, ledgers, manifests)
is escaped in the HTML, percent-encoded in the VCF and neutralised in the TSV."""

from __future__ import annotations

import re

import pysam
import pytest
from markupsafe import escape

from report_tables import PAYLOADS, injection_inputs
from varrank.report import run_report


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, shared_data, trio_rows):
    folder = tmp_path_factory.mktemp("hostile")
    kwargs = injection_inputs(folder / "in", shared_data, trio_rows)
    return run_report(out_dir=folder / "out", secondary=True, **kwargs)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_escaped_in_html(hostile, name):
    page = hostile.html.read_text()
    payload = PAYLOADS[name]
    assert payload not in page
    assert str(escape(payload[:12])) in page  # the text is shown, as text


def test_page_has_exactly_one_script_and_no_injected_handlers(hostile):
    page = hostile.html.read_text().lower()
    assert page.count("<script") == 1
    assert "<img" not in page and "<iframe" not in page and "<svg onload" not in page
    assert "onerror=" not in page.replace("onerror=&#34;", "").replace("onerror=&quot;", "")


def test_vcf_fields_are_percent_encoded(hostile):
    with pysam.VariantFile(str(hostile.vcf)) as vcf:
        sample = list(vcf.header.samples)[0]
        assert sample == PAYLOADS["sample"]  # a legal VCF sample name; escaped in HTML
        for rec in vcf:
            gene = rec.info.get("VR_gene_symbol")
            if gene and "script" in gene:
                assert gene == "<script>window.__pwned%3D'gene'<%2Fscript>".replace("%2F", "/")
                assert rec.id == PAYLOADS["vcf_id"].replace("=", "%3D")
                assert len(rec.filter) == 1
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+", list(rec.filter)[0])
                break
        else:
            pytest.fail("payload record not found")


def test_tsv_keeps_one_line_per_row(hostile):
    lines = hostile.tsv.read_text().splitlines()
    width = len(lines[0].split("\t"))
    assert all(len(line.split("\t")) == width for line in lines)
