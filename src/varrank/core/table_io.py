"""Reading and writing the per-patient variant table (Parquet) and small text outputs.

Writes go through a temporary file and a rename so that a killed task (Nextflow retries on
exit 137/143) never leaves a half-written file that a cached re-run would trust. Every data
page carries a CRC-32 (Parquet's page checksum) that each read verifies: a table changed after
it was written (a corrupted file in a Nextflow work folder that -resume would otherwise reuse)
is refused by the next stage instead of read as different values.
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


def write_table(table: pa.Table, path: Path | str, metadata: Any) -> Path:
    """Write a variant table with its footer (a TableMetadata, or a mapping of its fields)."""
    from varrank.core.table_meta import TableMetadata

    return _write_parquet(table, Path(path), TableMetadata.coerce(metadata).to_footer())


def write_side_table(table: pa.Table, path: Path | str, info: dict[str, Any]) -> Path:
    """Write a side table (transcripts, tracks): not a variant table, a small free footer."""
    return _write_parquet(table, Path(path), info)


def _write_parquet(table: pa.Table, path: Path, footer: dict[str, Any]) -> Path:
    existing = dict(table.schema.metadata or {})
    existing[METADATA_KEY] = json.dumps(footer, sort_keys=True).encode()
    table = table.replace_schema_metadata(existing)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
    return path


def read_parquet(path: Path | str) -> pa.Table:
    """pq.read_table with every page checksum verified (pages written without one, by older
    varrank or other programs, are read as they are)."""
    return pq.read_table(path, page_checksum_verification=True)


def corruption_hint(path: Path, default: str = "write it again with the stage that made it"
                    ) -> str:
    """Where a damaged file came from and what to do: a staged input of a Nextflow task is a
    link into the work folder of the task that wrote it, which -resume would keep reusing."""
    real = path.resolve()
    if real != path.absolute():
        return (f"it is the cached output in {real.parent}: delete that folder (or run without "
                "-resume) so the task that wrote it runs again")
    return default


def read_table(path: Path | str) -> tuple[pa.Table, dict[str, Any]]:
    """Return the table and its varrank footer (empty dict when absent).

    A missing file, a file that is not Parquet or a footer that is not JSON is the user's
    input problem: one InputError naming the file, never a pyarrow traceback."""
    from varrank.core.errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError("variant table not found" if not path.exists() else
                         "variant table path is not a file", path=path,
                         hint="pass the <ID>.<stage>.parquet a stage wrote")
    try:
        table = read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as err:
        if "checksum" in str(err).lower():
            raise InputError("variant table is corrupted: a data page fails its CRC-32 "
                             "checksum (the file changed after it was written)", path=path,
                             hint=corruption_hint(path)) from None
        raise InputError(f"not a readable Parquet variant table ({type(err).__name__}: "
                         f"{str(err).splitlines()[0][:200]})", path=path,
                         hint=corruption_hint(path, "pass the <ID>.<stage>.parquet a stage "
                                                    "wrote")) from None
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    try:
        metadata = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        raise InputError("the table's varrank metadata is not valid JSON", path=path,
                         hint="the file was edited or written by another program") from None
    if not isinstance(metadata, dict):
        raise InputError("the table's varrank metadata is not a JSON object", path=path,
                         hint="the file was edited or written by another program")
    return table, metadata
