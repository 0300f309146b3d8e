"""Fixtures for the ANNOTATE tests (helpers live in annotate_helpers.py, a unique module name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate_helpers import patient_table, write_padded_chr17


@pytest.fixture(scope="session")
def chr17_grch38(shared_data: Path, tmp_path_factory) -> Path:
    return write_padded_chr17(shared_data, tmp_path_factory.mktemp("ref38"))


@pytest.fixture(scope="session")
def demo_resources(shared_data: Path, chr17_grch38: Path, tmp_path_factory) -> dict[str, str]:
    """DEMO bundle + snpEff database (GENCODE v19 BRCA1 GFF3 on the padded GRCh38 chr17)."""
    from varrank.annotate.demo import prepare_demo_resources

    return prepare_demo_resources(shared_data, tmp_path_factory.mktemp("demo_res"), chr17_grch38)


@pytest.fixture(scope="session")
def snpeff_db_grch38(demo_resources: dict[str, str]) -> Path:
    return Path(demo_resources["snpeff_db"])


@pytest.fixture(scope="session")
def trio_hg002(shared_data: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trio") / "HG002.ingest.parquet"
    return patient_table(shared_data / "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz",
                         "HG002", out, "HG002", "GRCh37")


