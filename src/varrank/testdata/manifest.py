"""Locate a mirrored public test-data file and check it is the file the manifest names.

Test and demo data are never copied into the repository (nf-core's test-datasets convention,
adapted to an offline world): ``manifest.tsv`` lists every file with its sha256, size,
upstream URL, build and derivation, and the files are read from a local mirror folder. A
checksum mismatch means the mirror drifted from the public source; tests and the demo refuse
to run on such a file instead of producing results nobody can reproduce.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from varrank.core.errors import ResourceError
from varrank.core.checksums import sha256_file

ENV_VAR = "VARRANK_TEST_DATA"


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    sha256: str
    size_bytes: int
    upstream: str
    build: str
    derivation: str


@lru_cache(maxsize=1)
def load_manifest() -> dict[str, ManifestEntry]:
    """Read the packaged manifest.tsv into ``{relative name: entry}``."""
    text = resources.files("varrank.testdata").joinpath("manifest.tsv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        row["name"]: ManifestEntry(
            name=row["name"], sha256=row["sha256"], size_bytes=int(row["size_bytes"]),
            upstream=row["upstream"], build=row["build"], derivation=row["derivation"],
        )
        for row in rows
    }


def default_data_dir() -> Path:
    """``$VARRANK_TEST_DATA``, else ``../shared/data`` beside the checkout (or the CWD)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    # src/varrank/testdata/manifest.py -> repository root is three levels above src/.
    repo_root = Path(__file__).resolve().parents[3]
    for base in (repo_root, Path.cwd()):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return repo_root.parent / "shared" / "data"



# (path, size, mtime_ns) -> sha256, so a test session hashes each file once.
_VERIFIED: dict[tuple[str, int, int], str] = {}


def _cached_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = sha256_file(path)
    return _VERIFIED[key]


def locate(name: str, data_dir: str | Path | None = None, verify: bool = True) -> Path:
    """Return the path of manifest file ``name`` in the mirror, checked against its sha256.

    Raises ResourceError (one line + hint) for a name not in the manifest, a missing file or
    a checksum mismatch.
    """
    manifest = load_manifest()
    if name not in manifest:
        raise ResourceError(
            f"{name!r} is not in the test-data manifest",
            hint="see src/varrank/testdata/manifest.tsv for the files that exist",
        )
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    path = base / name
    if not path.is_file():
        raise ResourceError(
            f"test-data file missing: {path}",
            hint=f"point --data-dir or ${ENV_VAR} at the mirror; upstream: {manifest[name].upstream}",
        )
    if verify:
        actual = _cached_sha256(path)
        if actual != manifest[name].sha256:
            raise ResourceError(
                f"sha256 mismatch for {path}: expected {manifest[name].sha256[:12]}..., "
                f"found {actual[:12]}...",
                hint=f"re-fetch it from {manifest[name].upstream}",
                path=path,
            )
    return path


def verify_all(data_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """Check every manifest entry; return ``(name, problem)`` for those that fail."""
    problems = []
    for name in load_manifest():
        try:
            locate(name, data_dir)
        except ResourceError as err:
            problems.append((name, err.one_line()))
    return problems
