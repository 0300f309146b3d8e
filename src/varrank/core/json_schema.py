"""The JSON Schemas of varrank's own files, and one way to check a document against them.

Footer, ledger, QC and the three resource manifests each have a schema in
``core/schemas/``; writers check what they write (a failure is a varrank bug) and readers
check what they read (a failure is a user's stale or damaged file, reported as one line
naming the file and the JSON path of the first problem).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from varrank.core.errors import VarrankError

SCHEMAS = ("table_metadata", "ledger", "qc", "annotation_bundle_manifest",
           "snpeff_db_manifest", "model_bundle_manifest")


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    text = resources.files("varrank.core").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(name: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(schema(name))


def problems(doc: Any, name: str) -> list[str]:
    """Every violation of schema ``name`` as 'json/path: message' (empty: valid)."""
    errors = sorted(_validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {_message(e)}"
            for e in errors]


def _message(error: Any) -> str:
    if error.validator == "required":  # "'x' is a required property" reads backwards
        return f"lacks required field {error.message.split(' is a required property')[0]}"
    return error.message


def check(doc: Any, name: str, path: Path | str | None, error: type[VarrankError],
          what: str, hint: str = "") -> None:
    """Raise ``error`` naming the file and the first problem when ``doc`` breaks ``name``:
    ``<what>: <json path>: <problem> (+N more)``."""
    found = problems(doc, name)
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        raise error(f"{what}: {found[0][:300]}{more}", hint=hint, path=path)


def check_written(doc: Any, name: str) -> None:
    """What varrank writes must match its own schema; a mismatch is a bug, not user input."""
    found = problems(doc, name)
    if found:
        raise AssertionError(f"{name} document breaks its schema: {'; '.join(found[:5])}")
