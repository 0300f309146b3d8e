"""Each module's meta.yml (nf-core's module metadata) says what its main.nf declares: the
input channels and their elements in order, every emit with its files, and one tool for
each (process, tool, version) tuple the module puts on the `versions` topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.parent for p in (REPO_ROOT / "modules" / "local").glob("*/main.nf"))
NAME = re.compile(r"\b(?:val|path|eval)\(\s*([\w\"'${}.]+)")


def _block(text: str, start: str, end: str) -> list[str]:
    body = text.split(f"\n    {start}:\n", 1)[1].split(f"\n    {end}:\n", 1)[0]
    return [re.split(r"\s//\s", line)[0].strip() for line in body.splitlines() if line.strip()]


def _inputs(text: str) -> list[list[str]]:
    channels = []
    for line in _block(text, "input", "output"):
        if line.startswith("tuple"):
            channels.append([n.strip("\"'") for n in NAME.findall(line)])
        else:
            channels.append([line.split()[1].rstrip(",")])
    return channels


def _outputs(text: str) -> tuple[dict[str, list[str]], list[str]]:
    emits, tools = {}, []
    for line in _block(text, "output", "when"):
        if "topic: versions" in line:
            tools.append(re.search(r"val\('([\w-]+)'\)", line).group(1))
            continue
        emit = re.search(r"emit: (\w+)", line).group(1)
        emits[emit] = re.findall(r'path\("([^"]+)"\)', line)
        if emit.startswith("versions_"):  # a process that reads the topic reports its own here
            tools.append(re.search(r"val\('([\w-]+)'\)", line).group(1))
    return emits, tools


def _names(entry) -> list[str]:
    items = entry if isinstance(entry, list) else [entry]
    return [next(iter(item)) for item in items]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_meta_yml_matches_main_nf(module: Path):
    text = (module / "main.nf").read_text()
    meta = yaml.safe_load((module / "meta.yml").read_text())
    assert meta["name"] == module.name
    assert [_names(channel) for channel in meta["input"]] == _inputs(text)
    emits, tools = _outputs(text)
    assert list(meta["output"]) == list(emits)
    for emit, files in emits.items():
        described = [n for n in _names(meta["output"][emit][0]) if n != "meta"]
        if files:
            assert described == files, emit
    assert [next(iter(tool)) for tool in meta["tools"]] == tools
    for tool in meta["tools"]:
        info = next(iter(tool.values()))
        assert info["licence"] and info["homepage"].startswith("https://"), tool
    on_topic = "topic: versions" in text
    assert list(meta["topics"]) == (["versions"] if on_topic else [])


def test_citations_name_every_module_tool_and_model():
    citations = (REPO_ROOT / "CITATIONS.md").read_text().lower()
    tools = {next(iter(t)) for m in MODULES for t in yaml.safe_load((m / "meta.yml").read_text())["tools"]}
    names = {"bcftools": "bcftools", "htslib": "htslib", "vep": "vep", "python": None, "varrank": None}
    for tool in sorted(tools):
        needle = names.get(tool, tool)
        if needle:
            assert needle in citations, f"CITATIONS.md does not cite {tool}"
    for model in ("spliceai", "pangolin", "xpresso", "alphamissense", "revel", "cadd", "clinvar", "gnomad"):
        assert model in citations, model
