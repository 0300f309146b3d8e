"""Shared pytest fixtures: where the real test data lives.

The data is never copied into the repository: it is read from the test-data folder, which
defaults to ../shared/data beside the checkout and can be moved with VARRANK_TEST_DATA.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_data_dir() -> Path:
    return Path(os.environ.get("VARRANK_TEST_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder with the mirrored public test data (see src/varrank/testdata/manifest.tsv)."""
    path = test_data_dir()
    if not (path / "PROVENANCE.tsv").exists():
        pytest.fail(f"test data not found at {path}; set VARRANK_TEST_DATA to the mirror")
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
