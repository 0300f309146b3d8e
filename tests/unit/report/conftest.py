"""REPORT unit-test fixtures live in report_fixtures.py (shared with tests/browser)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import full_report, ingest_report, trio_rows  # noqa: E402,F401
