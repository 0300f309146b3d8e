"""Structure a screen reader and a printer rely on: captions, header scopes, landmarks,
text beside colour, no external resources."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.badges_without_text = 0
        self._badge_open = False
        self._badge_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "th" and "scope" not in attrs:
            self.th_without_scope += 1
        for key in ("src", "href"):
            value = attrs.get(key)
            if value and not value.startswith(("#", "data:")):
                self.urls.append(value)
        if tag == "span" and "badge" in (attrs.get("class") or ""):
            self._badge_open, self._badge_text = True, ""

    def handle_data(self, data):
        if self._badge_open:
            self._badge_text += data

    def handle_endtag(self, tag):
        if tag == "span" and self._badge_open:
            self._badge_open = False
            self.badges_without_text += not self._badge_text.strip()


def test_report_page_structure(full_report):
    page = full_report[0].html.read_text()
    audit = _Audit()
    audit.feed(page)
    assert audit.tables > 10 and audit.captions == audit.tables
    assert audit.th_without_scope == 0
    assert {"header", "main", "nav", "section", "footer", "article", "caption"} <= audit.tags
    assert audit.urls == []  # nothing to fetch: no src/href outside the page
    assert audit.badges_without_text == 0
    assert re.search(r'<html lang="en">', page)
    assert "@page" in page and "@media print" in page


def test_index_page_structure(full_report, tmp_path):
    from varrank.report.index import build_index

    page = build_index([full_report[0].json.parent], tmp_path / "index.html").read_text()
    audit = _Audit()
    audit.feed(page)
    assert audit.captions == audit.tables == 1 and audit.th_without_scope == 0
    assert all(not u.startswith(("http:", "https:", "//")) for u in audit.urls)
