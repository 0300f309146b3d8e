"""Reading and writing the per-patient variant table (Parquet) and small text outputs.

Writes go through a temporary file and a rename so that a killed task (Nextflow retries on
exit 137/143) never leaves a half-written file that a cached re-run would trust.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

METADATA_KEY = b"varrank"


def share_file(path: Path | str) -> None:
    """Give a finished output the usual umask-based mode.

    mkstemp creates files 0600; a container task running as another user (Nextflow on a
    shared HPC folder, cloud batch) must still be able to read what a stage wrote.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, readable by
    other users; on any failure it is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        yield Path(tmp)
        share_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path | str, text: str) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_table(table: pa.Table, path: Path | str, metadata: dict[str, Any]) -> Path:
    """Write ``table`` with varrank metadata (patient, build, stage history) in the footer."""
    path = Path(path)
    existing = dict(table.schema.metadata or {})
    existing[METADATA_KEY] = json.dumps(metadata, sort_keys=True).encode()
    table = table.replace_schema_metadata(existing)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def read_table(path: Path | str) -> tuple[pa.Table, dict[str, Any]]:
    """Return the table and its varrank metadata (empty dict when absent)."""
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    metadata = json.loads(raw) if raw else {}
    return table, metadata


def with_stage(metadata: dict[str, Any], stage: str, **details: Any) -> dict[str, Any]:
    """Return a copy of ``metadata`` with one more entry in its stage history."""
    from varrank import __version__

    updated = dict(metadata)
    history = list(updated.get("stages", []))
    history.append({"stage": stage, "varrank_version": __version__, **details})
    updated["stages"] = history
    return updated
