"""Validation of report.json against its JSON Schema (report.schema.json).

The builder validates what it writes (a failure is a varrank bug, not a user error), and
consumers can validate what they read with the same file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    return json.loads(resources.files("varrank.report").joinpath("report.schema.json")
                      .read_text("utf-8"))


def schema_errors(doc: Any) -> list[str]:
    """Human-readable schema violations of ``doc`` (empty list: valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(report_schema())
    return [f"{'/'.join(map(str, err.absolute_path)) or '(root)'}: {err.message}"
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
