"""The mitochondrial test patient and bundle (varrank testdata mito), built once per session
from the real files of ../shared/data/mito (never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from varrank.testdata.mito import mito_bundle, rcrs_fasta


@pytest.fixture(scope="session")
def mito_dir(tmp_path_factory, shared_data) -> Path:
    return tmp_path_factory.mktemp("mito")


@pytest.fixture(scope="session")
def mt_fasta(mito_dir, shared_data) -> Path:
    return rcrs_fasta(shared_data, mito_dir)


@pytest.fixture(scope="session")
def mito_bundle_dir(mito_dir, shared_data, mt_fasta) -> Path:
    return mito_bundle(shared_data, mito_dir, mt_fasta)
