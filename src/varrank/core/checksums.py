"""File checksums: one implementation for manifests (test data, bundles, models, reports).

Reports print the sha256 of every resource they used, so the same bytes must always give
the same digest whichever stage computed it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path | str, chunk: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in chunks (bundles and references can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
