"""docs/usage.md documents exactly the parameters of nextflow_schema.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_parameter_tables_are_generated_from_the_schema():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "scripts/nextflow/schema_docs.py"),
                             "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_every_schema_parameter_has_type_default_or_help():
    schema = json.loads((REPO_ROOT / "nextflow_schema.json").read_text())
    docs = (REPO_ROOT / "docs" / "usage.md").read_text()
    for group in schema["$defs"].values():
        for name, prop in group["properties"].items():
            assert prop.get("type") in {"string", "integer", "number", "boolean"}, name
            assert prop.get("description"), name
            assert f"| `--{name}` |" in docs, name
