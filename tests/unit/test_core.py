"""Core contract: ledger arithmetic, safe IDs, contig naming, build inference, table I/O."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from varrank.core import genome
from varrank.core.errors import InputError
from varrank.core.ids import is_safe_id, require_safe_id
from varrank.core.ledger import Ledger
from varrank.core.schema import ALL_COLUMNS, arrow_schema
from varrank.core.table_io import read_table, write_table
from varrank.core.table_meta import TableMetadata


@given(
    records_in=st.integers(0, 10_000),
    added=st.dictionaries(st.sampled_from(["split"]), st.integers(0, 500)),
    drops=st.dictionaries(st.sampled_from(["ref_block", "symbolic", "dup"]), st.integers(0, 500)),
)
def test_ledger_balances_when_out_is_derived(records_in, added, drops):
    ledger = Ledger("ingest", "P1", records_in=records_in)
    for reason, n in added.items():
        ledger.add(reason, n)
    total_drop = 0
    for reason, n in drops.items():
        n = min(n, records_in + sum(added.values()) - total_drop)
        ledger.drop(reason, n=n)
        total_drop += n
    ledger.records_out = records_in + sum(added.values()) - total_drop
    assert ledger.balanced
    ledger.records_out += 1
    assert not ledger.balanced


def test_ledger_refuses_to_write_unbalanced(tmp_path):
    ledger = Ledger("ingest", "P1", records_in=3, records_out=1)
    ledger.drop("symbolic_alt", example="1:10:A:<DEL>")
    with pytest.raises(AssertionError):
        ledger.write(tmp_path / "l.json")
    ledger.drop("duplicate")
    ledger.write(tmp_path / "l.json")
    again = Ledger.read(tmp_path / "l.json")
    assert again.dropped == {"symbolic_alt": 1, "duplicate": 1}
    assert json.loads((tmp_path / "l.json").read_text())["examples"]["symbolic_alt"] == ["1:10:A:<DEL>"]


@pytest.mark.parametrize("value", ["HG002", "patient_1.a-b", "P1"])
def test_safe_ids_accepted(value):
    assert require_safe_id(value) == value


@pytest.mark.parametrize("value", ["../etc", "a/b", "", ".hidden", "a b", "x;rm", "a..b", "é"])
def test_unsafe_ids_refused(value):
    assert not is_safe_id(value)
    with pytest.raises(InputError, match="unsafe"):
        require_safe_id(value)


def test_contig_mapper_maps_both_styles():
    to_ucsc = genome.contig_mapper(["chr1", "chrX", "chrM"])
    assert to_ucsc["1"] == "chr1" and to_ucsc["X"] == "chrX" and to_ucsc["MT"] == "chrM"
    to_b37 = genome.contig_mapper(["1", "MT"])
    assert to_b37["chr1"] == "1" and to_b37["chrM"] == "MT"
    assert "2" not in to_b37


def test_infer_build_from_lengths():
    assert genome.infer_build({"chr17": 83257441, "chr13": 114364328}) == "GRCh38"
    assert genome.infer_build({"17": 81195210}) == "GRCh37"
    assert genome.infer_build({"chr17:42425000-43600000": 1175001}) is None
    assert genome.canonical_build("hg19") == "GRCh37"


def test_table_roundtrip_keeps_metadata(tmp_path):
    table = pa.table({"chrom": ["chr17"], "pos": [43044346], "ref": ["C"], "alt": ["T"]})
    meta = TableMetadata(patient="P1", genome_build="GRCh38").with_stage("ingest", fasta="x.fa")
    write_table(table, tmp_path / "t.parquet", meta)
    back, meta_back = read_table(tmp_path / "t.parquet")
    assert back.num_rows == 1 and meta_back["patient"] == "P1"
    assert meta_back["stages"][0]["stage"] == "ingest"


def _flip_inside_data_page(path, column: str) -> None:
    """Invert one byte in the middle of ``column``'s (only) data page, past its page header."""
    import pyarrow.parquet as pq

    chunk = next(c for c in (pq.ParquetFile(path).metadata.row_group(0).column(i)
                             for i in range(pq.ParquetFile(path).metadata.num_columns))
                 if c.path_in_schema == column)
    data = bytearray(path.read_bytes())
    data[chunk.data_page_offset + chunk.total_compressed_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_table_changed_after_it_was_written_is_refused_not_misread(tmp_path):
    """A byte flipped inside a data page: without the page checksums the file reads back as
    other values (the silent case); with them the next stage refuses it, and names the cached
    work folder when the file is a Nextflow-staged link."""
    import numpy as np
    import pyarrow.parquet as pq

    table = pa.table({"chrom": ["chr17"] * 50_000, "pos": np.arange(1, 50_001, dtype=np.int64),
                      "ref": ["C"] * 50_000, "alt": ["T"] * 50_000})
    work = tmp_path / "work" / "ab" / "cdef01"
    work.mkdir(parents=True)
    written = write_table(table, work / "P1.annotate.parquet", TableMetadata(patient="P1"))
    _flip_inside_data_page(written, "pos")
    assert not pq.read_table(written).column("pos").equals(table.column("pos"))
    staged = tmp_path / "task" / "P1.annotate.parquet"
    staged.parent.mkdir()
    staged.symlink_to(written)
    with pytest.raises(InputError) as err:
        read_table(staged)
    assert "corrupted" in str(err.value) and "CRC-32" in str(err.value)
    assert str(work) in err.value.hint and "-resume" in err.value.hint


def test_schema_column_names_unique():
    names = [c.name for c in ALL_COLUMNS]
    assert len(names) == len(set(names))
    assert arrow_schema("ingest").names[:4] == ["chrom", "pos", "ref", "alt"]


def test_outputs_are_readable_by_other_users(tmp_path):
    import os
    import stat

    from varrank.core.table_io import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        write_table(pa.table({"x": [1]}), tmp_path / "t.parquet", {"patient": "P1"})
    finally:
        os.umask(old)
    for name in ("a.json", "t.parquet"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
