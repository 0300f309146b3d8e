"""The methods section: every tool, resource and model version, with checksums.

A report must be reproducible and auditable (ACMG/AMP 2015; ESHG, Claustres et al. 2014):
the reader needs the exact ClinVar/gnomAD releases, the model build and the software that
produced it. Sources: the stage history in the table metadata, the bundle and model
manifests (read generically: any nested entry carrying a checksum is listed as a file),
and sha256 of every input file the report was built from.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from varrank.core.checksums import sha256_file
from varrank.core.errors import InputError
from varrank.core.table_meta import TableMetadata
from varrank.report.values import clean

CHECKSUM_KEYS = ("sha256", "md5", "checksum", "sha1")
NAME_KEYS = ("path", "file", "name", "filename", "url")
SCALAR_KEYS_FIRST = ("name", "kind", "type", "version", "release", "genome_build", "build",
                     "license", "created", "source")



def _files(node: Any, where: str = "") -> list[dict[str, Any]]:
    """Every dict below ``node`` that carries a checksum, as {name, algorithm, checksum}."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        algo = next((k for k in CHECKSUM_KEYS if isinstance(node.get(k), str)), None)
        if algo:
            name = next((node[k] for k in NAME_KEYS if isinstance(node.get(k), str)), where)
            found.append({"name": name, "algorithm": algo, "checksum": node[algo],
                          "size": node.get("size") or node.get("size_bytes")})
        for key, value in node.items():
            if isinstance(value, str) and key not in CHECKSUM_KEYS and len(value) in (32, 64) \
                    and all(c in "0123456789abcdef" for c in value.lower()) and not algo:
                # {"model.onnx": "<sha256>"} style maps
                found.append({"name": key, "algorithm": "sha256" if len(value) == 64 else "md5",
                              "checksum": value, "size": None})
            elif isinstance(value, (dict, list)):
                found.extend(_files(value, key if isinstance(node, dict) else where))
    elif isinstance(node, list):
        for item in node:
            found.extend(_files(item, where))
    return found


def read_manifest(path: Path) -> dict[str, Any]:
    """Summarise an annotation-bundle or model manifest for the methods section."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("manifest file not found", path=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"manifest is not valid JSON ({err})", path=path) from None
    if not isinstance(data, dict):
        raise InputError("manifest must be a JSON object", path=path)
    data = clean(data)
    scalars = {k: v for k, v in data.items() if not isinstance(v, (dict, list)) and v is not None}
    for key, value in data.items():  # one level of nesting, e.g. normalisation.tool
        if isinstance(value, dict) and key not in ("sources", "resources", "models", "components"):
            for sub, item in value.items():
                if not isinstance(item, (dict, list)) and item is not None:
                    scalars[f"{key}.{sub}"] = item
    ordered = {k: scalars.pop(k) for k in SCALAR_KEYS_FIRST if k in scalars}
    ordered.update(scalars)
    sources = []
    for key in ("sources", "resources", "models", "components"):
        value = data.get(key)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    sources.append({k: v for k, v in item.items()
                                    if not isinstance(v, (dict, list)) and v is not None})
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict):
                    sources.append({"name": name, **{k: v for k, v in item.items()
                                    if not isinstance(v, (dict, list)) and v is not None}})
    kind = "model" if ("onnx" in json.dumps(data).lower() or "model" in Path(path).parent.name
                       .lower() or "input_encoding" in data) else "annotation bundle"
    return {"path": str(path), "kind": data.get("kind") or kind,
            "sha256": sha256_file(Path(path)), "fields": ordered, "sources": sources,
            "files": _files(data)}


_NON_COMMERCIAL = re.compile(r"non-?commercial|\bBY-NC|academic use", re.IGNORECASE)


def licences(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every model's and bundle source's licence, non-commercial ones flagged: a lab using
    the report in a paid service must see which parts it may not use so (SpliceAI's weights,
    AlphaMissense, REVEL and CADD all carry such terms)."""
    found: list[dict[str, Any]] = []
    for manifest in manifests:
        fields = manifest.get("fields") or {}
        text = fields.get("license") or fields.get("license.weights")
        if text:
            found.append({"what": f"model {fields.get('name') or manifest['path']}",
                          "licence": str(text)})
        for source in manifest.get("sources") or []:
            if source.get("licence"):
                found.append({"what": f"annotation source {source.get('name')}",
                              "licence": str(source["licence"])})
    for entry in found:
        entry["non_commercial"] = bool(_NON_COMMERCIAL.search(entry["licence"]))
    return found


def _version(dist: str) -> str | None:
    try:
        return importlib_metadata.version(dist)
    except importlib_metadata.PackageNotFoundError:
        return None


def report_tools() -> list[dict[str, Any]]:
    """Versions of what the REPORT stage itself used."""
    from varrank import __version__

    tools = [{"name": "varrank", "version": __version__, "used_for": "all stages"},
             {"name": "Python", "version": platform.python_version(), "used_for": "runtime"}]
    try:
        import pysam

        tools.append({"name": "pysam", "version": pysam.__version__,
                      "used_for": "annotated VCF (htslib " + pysam.version.__htslib_version__ + ")"})
    except ImportError:  # pragma: no cover - pysam is a hard dependency
        pass
    for dist, use in (("pyarrow", "variant table"), ("jinja2", "HTML report"),
                      ("jsonschema", "report.json validation")):
        version = _version(dist)
        if version:
            tools.append({"name": dist, "version": version, "used_for": use})
    return tools


def stage_history(metadata: TableMetadata) -> list[dict[str, Any]]:
    """Stage history entries from the table metadata: stage plus every detail recorded."""
    history = []
    for entry in metadata.stages:
        if isinstance(entry, dict):
            entry = clean(entry)
            details = {k: v for k, v in entry.items() if k != "stage" and v is not None}
            history.append({"stage": entry.get("stage"), "details": details})
    return history


def input_files(paths: dict[str, list[Path]]) -> list[dict[str, Any]]:
    """sha256 of every file the report was built from, so the audit trail is complete."""
    rows = []
    for role, items in paths.items():
        for path in items:
            rows.append({"role": role, "name": Path(path).name, "sha256": sha256_file(Path(path)),
                         "size": Path(path).stat().st_size})
    return rows


def runtime() -> dict[str, str]:
    return {"platform": platform.platform(), "python": sys.version.split()[0]}
