"""Fixtures for the REPORT tests (unit and browser): stage outputs built once per session
from real records. Imported by tests/unit/report/conftest.py and tests/browser/conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_tables as T  # noqa: E402
from report_tables import BUNDLE_MANIFEST, full_rows, write_inputs  # noqa: E402,F401


FULL = ("ingest", "annotate", "score", "prioritise")


@pytest.fixture(scope="session")
def trio_rows(shared_data: Path) -> list[dict]:
    return T.ingest_rows(shared_data)


@pytest.fixture(scope="session")
def full_report(tmp_path_factory, trio_rows, shared_data):
    """A report over all four stages, with tracks, a manifest and secondary findings."""
    from varrank.report import run_report

    folder = tmp_path_factory.mktemp("full")
    rows = full_rows(trio_rows, shared_data)
    kwargs = write_inputs(folder / "in", rows, FULL, hpo=["HP:0001250", "HP:0002575"],
                          tracks_for=["1-949654-A-G"], manifest=BUNDLE_MANIFEST)
    outputs = run_report(out_dir=folder / "out", secondary=True, max_variants=300, **kwargs)
    return outputs, rows


@pytest.fixture(scope="session")
def ingest_report(tmp_path_factory, trio_rows):
    """The first-version report: QC and the ingested table only."""
    from varrank.report import run_report

    folder = tmp_path_factory.mktemp("ingest")
    kwargs = write_inputs(folder / "in", trio_rows, ("ingest",))
    return run_report(out_dir=folder / "out", **kwargs), trio_rows
