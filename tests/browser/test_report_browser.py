"""The reports in a real browser (headless Chromium): no console errors, no network
requests, sorting and filtering work, injected payloads stay inert, --pdf prints."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from report_tables import PAYLOADS, injection_inputs
from varrank.report import build_index, run_report

pytestmark = pytest.mark.browser


def _check_page(browser, path: Path) -> None:
    browser.open(path)
    errors = [m for m in browser.console() if m["level"] in ("SEVERE", "WARNING")]
    assert errors == [], errors
    page_url = path.resolve().as_uri()
    others = [u for u in browser.requests() if u != page_url and not u.startswith("data:")]
    assert others == [], f"requests left the page: {others}"
    assert browser.driver.execute_script("return document.documentElement.classList.contains('js')")


def _column(browser, table_id: str, index: int) -> list[str]:
    return browser.driver.execute_script(
        "return Array.from(document.getElementById(arguments[0]).tBodies[0].rows)"
        ".filter(r => !r.hidden).map(r => r.cells[arguments[1]].textContent.trim())",
        table_id, index)


def _sort(browser, table_id: str, index: int) -> None:
    browser.driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th button.sort")[index].click()


def test_full_report_in_chromium(browser, full_report, artifacts):
    outputs, _ = full_report
    _check_page(browser, outputs.html)
    # sort the variants table by position (column 2) both ways
    _sort(browser, "variants-table", 2)
    positions = [int(p.replace(",", "")) for p in _column(browser, "variants-table", 2)]
    assert positions == sorted(positions) and len(positions) == 300
    th = browser.driver.find_elements(By.CSS_SELECTOR, "#variants-table thead th")[2]
    assert th.get_attribute("aria-sort") == "ascending"
    _sort(browser, "variants-table", 2)
    positions = [int(p.replace(",", "")) for p in _column(browser, "variants-table", 2)]
    assert positions == sorted(positions, reverse=True)
    assert th.get_attribute("aria-sort") == "descending"
    # sort findings by phenotype score, descending after two clicks
    _sort(browser, "findings-table", 9)
    _sort(browser, "findings-table", 9)
    scores = [float(s) for s in _column(browser, "findings-table", 9)]
    assert scores == sorted(scores, reverse=True) and scores[0] == 0.82
    # filter
    box = browser.driver.find_element(By.ID, "variants-filter")
    box.send_keys("PERM1")
    genes = _column(browser, "variants-table", 13)
    assert genes == ["PERM1"]
    assert browser.driver.find_element(By.ID, "variants-table-count").text == "1 of 300 rows shown"
    box.clear()
    browser.driver.execute_script("document.getElementById('variants-filter').dispatchEvent(new Event('input'))")
    assert len(_column(browser, "variants-table", 13)) == 300
    # the splice plot is an inline SVG with an accessible name
    assert browser.driver.find_elements(By.CSS_SELECTOR, "svg.splice-plot[role=img] title")
    browser.driver.execute_script("window.scrollTo(0, 0)")
    browser.driver.save_screenshot(str(artifacts / "report_full_top.png"))
    browser.full_screenshot(artifacts / "report_full_page.png")


def test_ingest_only_report_in_chromium(browser, ingest_report, artifacts):
    outputs, _ = ingest_report
    _check_page(browser, outputs.html)
    headers = [th.text for th in browser.driver.find_elements(By.CSS_SELECTOR, "#variants-table thead th")]
    assert "Gene" not in headers and "Rank" not in headers  # columns of stages not run are left out
    dp = headers.index("DP")
    _sort(browser, "variants-table", dp)
    depths = [int(d.replace(",", "")) for d in _column(browser, "variants-table", dp) if d[0].isdigit()]
    assert depths == sorted(depths)
    browser.driver.save_screenshot(str(artifacts / "report_ingest_only.png"))


def test_index_in_chromium(browser, full_report, ingest_report, tmp_path, artifacts):
    index = build_index([full_report[0].json.parent, ingest_report[0].json.parent],
                        tmp_path / "index.html")
    _check_page(browser, index)
    links = browser.driver.find_elements(By.CSS_SELECTOR, "#index-table a")
    assert len(links) == 2 and all(a.get_attribute("href").startswith("file://") for a in links)
    links[0].click()  # the link resolves to a real report
    assert "Genomic variant analysis report" in browser.driver.title or \
        browser.driver.find_element(By.TAG_NAME, "h1").text == "Genomic variant analysis report"
    browser.driver.get(index.resolve().as_uri())
    browser.driver.save_screenshot(str(artifacts / "index.png"))


def test_injected_payloads_stay_inert(browser, tmp_path, shared_data, trio_rows, artifacts):
    kwargs = injection_inputs(tmp_path / "in", shared_data, trio_rows)
    outputs = run_report(out_dir=tmp_path / "out", secondary=True, **kwargs)
    _check_page(browser, outputs.html)
    driver = browser.driver
    # hover and click everything a payload could have hooked, in one script
    driver.execute_script(
        "document.querySelectorAll('main *').forEach(function (e) {"
        " ['mouseover', 'focus'].forEach(function (t) { e.dispatchEvent(new Event(t, {bubbles: true})); });"
        "});")
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return document.scripts.length") == 1
    assert driver.find_elements(By.CSS_SELECTOR, "main img, main iframe, main svg:not(.splice-plot), b") == []
    text = driver.execute_script("return document.body.textContent")
    for name in ("vcf_id", "gene_symbol", "sample", "hpo_label", "evidence"):
        assert PAYLOADS[name] in text, name  # shown as text, character for character
    driver.save_screenshot(str(artifacts / "report_injection.png"))
    # the cohort index shows the same hostile headline (gene) inertly
    index = build_index([outputs.json.parent], tmp_path / "index.html")
    _check_page(browser, index)
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert PAYLOADS["gene_symbol"] in driver.execute_script("return document.body.textContent")
    assert driver.execute_script("return document.scripts.length") == 1


@pytest.fixture(scope="module")
def small_report(tmp_path_factory, shared_data, trio_rows):
    """A 4-stage report over the first 400 trio records (keeps the PDF tests quick)."""
    from report_tables import full_rows, write_inputs

    folder = tmp_path_factory.mktemp("small")
    rows = full_rows(trio_rows[:400], shared_data)
    kwargs = write_inputs(folder / "in", rows, ("ingest", "annotate", "score", "prioritise"),
                          hpo=["HP:0001250"])
    return folder, {**kwargs, "max_variants": 40}


def _pdf_pages(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == pages
    return pages, info


def test_pdf_option_prints_a4_and_letter(small_report):
    from varrank.report.pdf import write_pdf

    folder, kwargs = small_report
    outputs = run_report(out_dir=folder / "a4", pdf=True, **kwargs)
    pages, info = _pdf_pages(outputs.pdf)
    assert pages >= 2 and "(A4)" in info
    # every evidence panel is printed, including those closed on screen (findings 4+)
    import json

    findings = json.loads(outputs.json.read_text())["findings"]["items"]
    with_codes = sum(1 for f in findings if any("code" in e for e in f["evidence"]))
    assert with_codes > 3
    text = subprocess.run(["pdftotext", str(outputs.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.count("assessed)") == with_codes
    letter = write_pdf(outputs.html, folder / "letter.pdf", paper="letter")
    pages, info = _pdf_pages(letter)
    assert pages >= 2 and "612 x 792 pts (letter)" in info
