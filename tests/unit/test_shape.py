"""The code's shape rules (issue 11 item 8), checked so they hold after every change.

No function in src/varrank runs over 60 lines (decorators and docstring included), and each
stage entry point stays an orchestrator: read -> compute -> write in about 40 lines (50 is the
ceiling here, leaving room for its keyword-only options).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "varrank"
MAX_FUNCTION_LINES = 60
MAX_STAGE_ENTRY_LINES = 50
STAGE_ENTRIES = {
    "ingest/pipeline.py": "run_ingest",
    "annotate/stage.py": "run_annotate",
    "score/stage.py": "run_score",
    "prioritise/stage.py": "run_prioritise",
    "report/stage.py": "run_report",
}


def _functions(path: Path) -> dict[str, int]:
    """qualified name -> length in lines of every function defined in ``path``."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                found[prefix + child.name] = child.end_lineno - first + 1
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_no_function_over_sixty_lines() -> None:
    long = [f"{p.relative_to(SRC)}:{name} ({n} lines)"
            for p in sorted(SRC.rglob("*.py"))
            for name, n in _functions(p).items() if n > MAX_FUNCTION_LINES]
    assert not long, "split these into named steps: " + "; ".join(long)


@pytest.mark.parametrize("module,entry", sorted(STAGE_ENTRIES.items()))
def test_stage_entry_is_an_orchestrator(module: str, entry: str) -> None:
    functions = _functions(SRC / module)
    assert entry in functions, f"{module} no longer defines {entry}"
    assert functions[entry] <= MAX_STAGE_ENTRY_LINES, (
        f"{module}:{entry} is {functions[entry]} lines; keep it read -> compute -> write")


def test_the_checker_sees_a_long_function(tmp_path: Path) -> None:
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"class C:\n    def f(self):\n{body}", encoding="utf-8")
    assert _functions(tmp_path / "m.py")["C.f"] == MAX_FUNCTION_LINES + 1
