"""Browser-test fixtures: the report fixtures of tests/unit/report and one Chromium session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "unit" / "report"))
sys.path.insert(0, str(HERE))
from report_fixtures import full_report, ingest_report, trio_rows  # noqa: E402,F401

ARTIFACTS = HERE.parent / "artifacts"


@pytest.fixture(scope="session")
def browser():
    from report_chromium import Browser, chromedriver_binary, chromium_binary

    if not chromium_binary() or not chromedriver_binary():
        pytest.fail("headless Chromium and chromedriver are required for the browser tests: "
                    "run scripts/setup.d/50-report.sh (Debian: chromium chromium-driver) "
                    "or deselect them with -m 'not browser'")
    session = Browser()
    yield session
    session.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
