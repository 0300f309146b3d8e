"""Opening an annotation bundle for lookups, and refusing one that does not fit the patient."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from varrank.annotate.bundle_build import BUNDLE_DB, BUNDLE_FORMAT_VERSION, MANIFEST
from varrank.annotate.lookup_index import SourceIndex
from varrank.core.errors import ResourceError
from varrank.core.json_schema import check


@dataclass
class Bundle:
    path: Path
    manifest: dict
    _indexes: dict[str, SourceIndex] = field(default_factory=dict, repr=False)

    @property
    def genome_build(self) -> str:
        return self.manifest["genome_build"]

    def sources_of(self, kind: str) -> list[str]:
        return [n for n, s in self.manifest.get("sources", {}).items() if s["kind"] == kind]

    def release(self, name: str) -> str:
        return self.manifest["sources"][name]["release"]

    def index(self, name: str) -> SourceIndex:
        """The source's memory-mapped lookup index (opened once per Bundle)."""
        if name not in self._indexes:
            self._indexes[name] = SourceIndex(self.path, name,
                                              self.manifest["sources"][name]["lookup"])
        return self._indexes[name]

    def connect(self, threads: int = 2, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.path / BUNDLE_DB), read_only=True)
        con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET enable_progress_bar = false")  # it would write to the task's stdout
        return con

    def has_table(self, con: duckdb.DuckDBPyConnection, table: str) -> bool:
        return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                [table]).fetchone()[0])


def open_bundle(path: Path, expected_build: str | None) -> Bundle:
    """Read and check a bundle folder; a bundle of the other build is refused."""
    manifest_path = path / MANIFEST
    if not path.is_dir() or not manifest_path.is_file() or not (path / BUNDLE_DB).is_file():
        raise ResourceError("not an annotation bundle (needs manifest.json and annotation.duckdb)",
                            hint="build one with `varrank resources build --out DIR ...`", path=path)
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise ResourceError(f"manifest is not valid JSON: {err.msg}", path=manifest_path,
                            line=err.lineno) from None
    if manifest.get("bundle_format") != BUNDLE_FORMAT_VERSION:
        # Format 1 had no lookup index, format 2 no allele codes or value records
        # (lookup_index.py); reading them would need code paths this version no longer carries.
        raise ResourceError(f"bundle format {manifest.get('bundle_format')!r} is not "
                            f"{BUNDLE_FORMAT_VERSION}, the format this varrank reads",
                            hint="rebuild the bundle from the same source files with "
                                 "`varrank resources build --out DIR ...` (see `varrank resources "
                                 "show` of the old bundle for its files)",
                            path=manifest_path)
    check(manifest, "annotation_bundle_manifest", manifest_path, ResourceError,
          "not an annotation bundle manifest", hint="rebuild it with `varrank resources build`")
    bundle = Bundle(path, manifest)
    if expected_build and bundle.genome_build != expected_build:
        raise ResourceError(
            f"the annotation bundle is {bundle.genome_build} but the patient's variants are "
            f"{expected_build}",
            hint=f"use a bundle built with --genome {expected_build}", path=path)
    return bundle
