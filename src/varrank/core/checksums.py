"""File checksums: one implementation for manifests (test data, bundles, models, reports).

Reports print the sha256 of every resource they used, so the same bytes must always give
the same digest whichever stage computed it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path
from typing import Any


def sha256_file(path: Path | str, chunk: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in chunks (bundles and references can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_entries(root: Path | str, skip: Collection[str] = ()) -> list[dict[str, Any]]:
    """{path, size_bytes, sha256} of every file below ``root`` (paths relative, '/'-joined,
    sorted), for a resource manifest; ``skip``: relative paths left out (the manifest itself)."""
    root = Path(root)
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in skip:
            continue
        entries.append({"path": rel, "size_bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return entries


def check_listed_files(root: Path | str, entries: list[dict[str, Any]], what: str,
                       checksums: bool = False, hint: str = "") -> int:
    """Refuse a resource whose listed files are missing, of another size (cheap: one stat
    each, done at every open) or, with ``checksums``, of another sha256 (reads every byte:
    `varrank resources verify`). Returns the number of files checked."""
    from varrank.core.errors import ResourceError

    root = Path(root)
    hint = hint or f"copy the whole {what} folder again, or rebuild it"
    for entry in entries:
        path = root / entry["path"]
        if not path.is_file():
            raise ResourceError(f"{what} file listed in its manifest is missing", hint=hint, path=path)
        size = path.stat().st_size
        expected = entry.get("size_bytes")
        if expected is not None and size != expected:
            raise ResourceError(f"{what} file is {size:,} bytes but its manifest says {expected:,}: "
                                f"{'truncated' if size < expected else 'changed'} after it was built",
                                hint=hint, path=path)
        if checksums and entry.get("sha256") and sha256_file(path) != entry["sha256"]:
            raise ResourceError(f"{what} file's sha256 differs from its manifest "
                                f"({entry['sha256'][:12]}...): changed or corrupted after it was built",
                                hint=hint, path=path)
    return len(entries)
