"""Every stage after INGEST given a missing, foreign or damaged variant table: one line naming
the file (core.table_io.read_table, the one reader), never pyarrow's traceback."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from malformed_helpers import assert_one_line_error

DAMAGE = ["missing", "folder", "vcf_not_parquet", "truncated", "parquet_without_key_columns",
          "empty_file", "bad_footer_metadata", "page_changed_after_writing"]


def _damaged(kind: str, good, tmp_path):
    path = tmp_path / f"{kind}.parquet"
    if kind == "folder":
        path.mkdir()
    elif kind == "vcf_not_parquet":
        path.write_text("##fileformat=VCFv4.2\n")
    elif kind == "truncated":
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "parquet_without_key_columns":
        pq.write_table(pa.table({"gene": ["BRCA1"], "score": [3]}), path)
    elif kind == "empty_file":
        path.write_bytes(b"")
    elif kind == "page_changed_after_writing":  # caught by the page CRC-32, not misread
        data = bytearray(good.read_bytes())
        chunk = pq.ParquetFile(good).metadata.row_group(0).column(1)  # pos
        data[chunk.data_page_offset + chunk.total_compressed_size // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif kind == "bad_footer_metadata":
        table = pq.read_table(good)
        pq.write_table(table.replace_schema_metadata({b"varrank": b"{not json"}), path)
    return path


@pytest.mark.parametrize("kind", DAMAGE)
@pytest.mark.parametrize("stage", ["annotate", "score", "prioritise", "report"])
def test_stage_given_a_bad_table(stage, kind, tmp_path, run_cli, chr17_table, chr17, demo_resources,
                                 tiny_model):
    path = _damaged(kind, chr17_table, tmp_path)
    args = {"annotate": ["--bundle", demo_resources["annotation_db"], "--fasta", chr17],
            "score": ["--fasta", chr17, "--model-dir", tiny_model],
            "prioritise": [], "report": []}[stage]
    result = run_cli(stage, "--in", path, *args, "--out", tmp_path / "out")
    assert_one_line_error(result, stage, path)
