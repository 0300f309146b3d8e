#!/usr/bin/env python3
"""Write the parameter tables of docs/usage.md from nextflow_schema.json.

The schema is the one source of truth for parameters (validation and --help read it too);
this keeps the documentation from drifting. Usage:
    python scripts/nextflow/schema_docs.py          # rewrite docs/usage.md in place
    python scripts/nextflow/schema_docs.py --check  # exit 1 if the docs are out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = REPO_ROOT / "nextflow_schema.json"
DOCS = REPO_ROOT / "docs" / "usage.md"
START = "<!-- parameters: generated from nextflow_schema.json by scripts/nextflow/schema_docs.py -->"
END = "<!-- end of parameters -->"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(schema: dict) -> str:
    lines: list[str] = []
    for group in schema["$defs"].values():
        required = set(group.get("required", []))
        lines += [f"### {group['title']}", "", group.get("description", ""), "",
                  "| Parameter | Type | Default | Description |", "| --- | --- | --- | --- |"]
        for name, prop in group["properties"].items():
            kind = " \\| ".join(f"`{v}`" for v in prop["enum"]) if "enum" in prop else prop["type"]
            if "default" in prop and prop["default"] not in ("", None):
                default = f"`{json.dumps(prop['default']) if isinstance(prop['default'], bool) else prop['default']}`"
            else:
                default = "required" if name in required else ""
            text = prop.get("description", "")
            if prop.get("help_text"):
                text += " " + prop["help_text"]
            lines.append(f"| `--{name}` | {kind} | {default} | {cell(text)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def updated_docs() -> str:
    docs = DOCS.read_text()
    head, rest = docs.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{render(json.loads(SCHEMA.read_text()))}\n{END}{tail}"


def main(argv: list[str]) -> int:
    new = updated_docs()
    if "--check" in argv:
        if new != DOCS.read_text():
            print("docs/usage.md parameters differ from nextflow_schema.json; "
                  "run python scripts/nextflow/schema_docs.py", file=sys.stderr)
            return 1
        return 0
    DOCS.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
