"""Assertions shared by report tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BAD_WORDS = re.compile(r"\b(None|nan|NaN|undefined)\b")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_no_missing_words(html: str) -> None:
    """The page never shows None/nan/undefined/null where a value is missing."""
    text = visible_text(html)
    hits = [text[max(0, m.start() - 40): m.end() + 40] for m in BAD_WORDS.finditer(text)]
    assert not hits, f"missing-value words on the page: {hits[:5]}"


def run_cli(argv: list[str]) -> int:
    """varrank's main() in-process, leaving the session's logging as it was."""
    from varrank_cli_calls import run_main

    return run_main(argv)
