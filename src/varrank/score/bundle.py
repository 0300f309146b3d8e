"""Model bundles: a folder with ONNX graph(s) and a ``manifest.json`` that says how to use them.

A bundle is the unit a lab installs, audits and cites: every file is listed with its sha256 so
that a report can name exactly which weights produced a score, and a swapped or truncated file
is refused instead of silently scoring with other weights. The format is documented in
docs/models.md; ``MANIFEST_VERSION`` is bumped whenever a reader would misread an older file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from varrank.core.checksums import sha256_file
from varrank.core.errors import ResourceError
from varrank.core.json_schema import check_written
from varrank.core.json_schema import problems as schema_problems

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
SUPPORTED_MANIFEST_VERSIONS = (1,)
KINDS = ("spliceai", "pangolin", "xpresso", "seq2func", "dnalm")




@dataclass(frozen=True)
class ModelBundle:
    """A verified bundle: its folder, parsed manifest and the path of its main graph."""

    root: Path
    manifest: dict[str, Any]
    graph: Path
    extra: dict[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def input_spec(self) -> dict[str, Any]:
        return dict(self.manifest["input"])

    @property
    def score_spec(self) -> dict[str, Any]:
        return dict(self.manifest["score"])

    def provenance(self) -> dict[str, Any]:
        """What a report prints about the model: name, version, licence, checksums."""
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "license": self.manifest["license"],
            "files": {f["path"]: f["sha256"] for f in self.manifest["files"]},
            "bundle": str(self.root),
        }


def _fail(root: Path, message: str, hint: str = "") -> ResourceError:
    return ResourceError(message, hint=hint or "rebuild the bundle (see docs/models.md)",
                         path=root / MANIFEST_NAME)


def read_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / MANIFEST_NAME
    if not path.is_file():
        raise ResourceError(f"no {MANIFEST_NAME} in model bundle folder",
                            hint="--model-dir must point at a bundle made by `varrank model export`"
                                 " or written as docs/models.md describes", path=root)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _fail(Path(root), f"manifest is not valid JSON: {err}") from err
    if not isinstance(manifest, dict):
        raise _fail(Path(root), "manifest must be a JSON object")
    return manifest


def validate_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Refuse manifests this version of varrank cannot read correctly."""
    version = manifest.get("manifest_version")
    if version not in SUPPORTED_MANIFEST_VERSIONS:
        raise _fail(root, f"manifest_version {version!r} is not supported (this varrank reads "
                          f"{', '.join(map(str, SUPPORTED_MANIFEST_VERSIONS))})",
                    hint="upgrade varrank or re-export the bundle with this version")
    problems = schema_problems(manifest, "model_bundle_manifest")
    if problems:
        raise _fail(root, f"manifest does not match its schema: {problems[0]}")
    if manifest["kind"] not in KINDS:
        raise _fail(root, f"unknown model kind {manifest['kind']!r}; known: {', '.join(KINDS)}")
    files = manifest["files"]
    for entry in files:
        rel = Path(entry["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise _fail(root, f"file path {entry['path']!r} must stay inside the bundle")
    if sum(1 for entry in files if entry["role"] == "graph") != 1:
        raise _fail(root, "manifest must list exactly one file with role 'graph'")


def verify_files(root: Path, manifest: dict[str, Any]) -> None:
    """Check every listed file exists and has the recorded sha256."""
    for entry in manifest["files"]:
        path = root / entry["path"]
        if not path.is_file():
            raise ResourceError(f"bundle file listed in the manifest is missing: {entry['path']}",
                                hint="copy the whole bundle folder", path=root)
        size, expected = path.stat().st_size, entry.get("size_bytes")
        if isinstance(expected, int) and size != expected:
            raise ResourceError(
                f"checksum mismatch for {entry['path']}: the file is {size:,} bytes, the manifest "
                f"says {expected:,} ({'truncated' if size < expected else 'changed'} after export)",
                hint="re-copy or re-export the bundle", path=path)
        actual = sha256_file(path)
        if actual != entry["sha256"]:
            raise ResourceError(
                f"checksum mismatch for {entry['path']}: manifest says {entry['sha256'][:12]}..., "
                f"file has {actual[:12]}...",
                hint="the file was changed or truncated after export; re-copy or re-export the "
                     "bundle", path=path)


def load_bundle(root: Path | str, verify: bool = True) -> ModelBundle:
    """Read, validate and (by default) checksum a bundle folder."""
    root = Path(root)
    manifest = read_manifest(root)
    validate_manifest(root, manifest)
    if verify:
        verify_files(root, manifest)
    graph = next(root / e["path"] for e in manifest["files"] if e["role"] == "graph")
    extra = {e["role"]: root / e["path"] for e in manifest["files"] if e["role"] != "graph"}
    return ModelBundle(root=root, manifest=manifest, graph=graph, extra=extra)


def find_bundles(model_dir: Path | str) -> list[Path]:
    """Bundle folders under ``model_dir``: the folder itself, or its direct sub-folders."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ResourceError("model directory does not exist", path=model_dir,
                            hint="pass the folder written by `varrank model export spliceai`")
    if (model_dir / MANIFEST_NAME).is_file():
        return [model_dir]
    found = sorted(p for p in model_dir.iterdir() if (p / MANIFEST_NAME).is_file())
    if not found:
        raise ResourceError("no model bundle (folder with manifest.json) found", path=model_dir,
                            hint="build one with `varrank model export spliceai --out DIR`")
    return found


def write_manifest(root: Path, manifest: dict[str, Any]) -> Path:
    """Fill in sha256 of each listed file and write manifest.json (used by exporters/tests)."""
    root = Path(root)
    for entry in manifest["files"]:
        entry["sha256"] = sha256_file(root / entry["path"])
        entry["size_bytes"] = (root / entry["path"]).stat().st_size
    manifest.setdefault("manifest_version", MANIFEST_VERSION)
    check_written(manifest, "model_bundle_manifest")
    path = root / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
