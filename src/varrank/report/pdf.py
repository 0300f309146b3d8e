"""PDF of the HTML report through headless Chromium's print-to-PDF.

Chromium lays the page out with the report's print stylesheet, so the PDF is what a
clinician would get from File > Print. The paper size (A4 or Letter) is set by adding an
``@page { size }`` rule to a temporary copy of the page; the HTML beside it stays
paper-neutral. The browser is started with no network, sandbox off (containers run as
root) and a throwaway profile, and is killed if it hangs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from varrank.core.errors import ResourceError

log = logging.getLogger(__name__)

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PAPER = {"a4": "A4", "letter": "letter"}
HEADLESS_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--disable-dev-shm-usage", "--no-pdf-header-footer", "--hide-scrollbars")


def find_chromium() -> str:
    """$VARRANK_CHROMIUM, else the first Chromium/Chrome on PATH."""
    explicit = os.environ.get("VARRANK_CHROMIUM")
    if explicit:
        if Path(explicit).exists():
            return explicit
        raise ResourceError(f"VARRANK_CHROMIUM points to a missing file: {explicit}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ResourceError("no Chromium found for --pdf",
                        hint="install it (Debian: apt-get install chromium) or set VARRANK_CHROMIUM")


def write_pdf(html_path: Path, pdf_path: Path, paper: str = "a4", timeout: int = 120) -> Path:
    paper_css = PAPER.get(paper.lower())
    if paper_css is None:
        raise ResourceError(f"unknown paper size {paper!r}", hint="use a4 or letter")
    browser = find_chromium()
    html = Path(html_path).read_text(encoding="utf-8")
    html = html.replace("</head>", f"<style>@page {{ size: {paper_css}; }}</style></head>", 1)
    with tempfile.TemporaryDirectory(prefix="varrank-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        command = [browser, *HEADLESS_FLAGS, f"--user-data-dir={tmp}/profile",
                   f"--print-to-pdf={out}", page.as_uri()]
        log.info("printing PDF with %s", browser)
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise ResourceError(f"Chromium did not finish printing within {timeout} s",
                                path=html_path) from None
        if not out.exists() or out.stat().st_size == 0:
            tail = (result.stderr or "").strip().splitlines()[-3:]
            raise ResourceError("Chromium did not write a PDF: " + " | ".join(tail), path=html_path)
        Path(pdf_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), pdf_path)
    return Path(pdf_path)


def chromium_version() -> str | None:
    try:
        browser = find_chromium()
        result = subprocess.run([browser, "--version"], capture_output=True, text=True, timeout=30)
        return result.stdout.strip() or None
    except (ResourceError, OSError, subprocess.TimeoutExpired):
        return None
