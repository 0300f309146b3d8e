"""Module tests in the nf-test layout, run by pytest (nf-test itself is not installable here:
it is on neither Maven Central nor PyPI, only on GitHub releases).

Each module has ``modules/local/<name>/tests/main.nf.test.yml``, one entry per nf-test
``test`` block:

- ``name``: the test's name (the snapshot key, as in nf-test);
- ``stub``: run with ``-stub`` (nf-test's ``options "-stub"``);
- ``config``: Nextflow config text for the test (nf-test's ``config``), e.g. ``ext.prefix``;
- ``setup``: upstream processes run first, each ``{process, inputs}`` (nf-test's ``setup { run
  (...) }``); their outputs are ``PROCESS.out.<emit>`` in the inputs below;
- ``inputs``: Groovy for ``input[0] = ...``, one list item per process input (nf-test's
  ``when { process { '''...''' } }``); ``params.testdata`` is the folder prepared by
  ``varrank testdata prepare`` and ``params.stub_inputs`` a folder of placeholder files;
- ``snapshot``: the emits whose files are snapshotted by checksum; ``names_only``: emits whose
  files carry run-specific content (paths, timestamps) and are snapshotted by name only,
  nf-test's ``file(...).name`` idiom.

``main.nf.test.snap`` beside it holds the snapshots in nf-test's JSON form (``{name: {content:
[...], meta: {...}}}``), files as ``name:md5,<hex>``. ``VARRANK_UPDATE_SNAPSHOTS=1`` rewrites
them (nf-test's ``--update-snapshot``). Porting to nf-test is one ``test`` block per entry.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = REPO_ROOT / "modules" / "local"


@dataclass
class ModuleTest:
    module: str            # folder under modules/local
    process: str
    name: str
    inputs: list[str]
    stub: bool = False
    config: str = ""
    setup: list[dict[str, Any]] = field(default_factory=list)
    snapshot: list[str] = field(default_factory=list)
    names_only: list[str] = field(default_factory=list)

    @property
    def spec_dir(self) -> Path:
        return MODULES / self.module / "tests"


def load_tests() -> list[ModuleTest]:
    tests = []
    for spec in sorted(MODULES.glob("*/tests/main.nf.test.yml")):
        doc = yaml.safe_load(spec.read_text())
        module = spec.parent.parent.name
        for entry in doc["tests"]:
            tests.append(ModuleTest(module=module, process=doc["process"], **entry))
    return tests


def _include_lines(processes: list[str]) -> str:
    lines = []
    for process in dict.fromkeys(processes):
        lines.append(f"include {{ {process} }} from '{MODULES / process.lower()}'")
    return "\n".join(lines)


def _call(process: str, inputs: list[str]) -> str:
    body = "\n".join(f"input[{i}] = {text.strip()}" for i, text in enumerate(inputs))
    args = ", ".join(f"input[{i}]" for i in range(len(inputs)))
    return f"    {{\n        def input = []\n{textwrap.indent(body, ' ' * 8)}\n        {process}({args})\n    }}"


def wrapper_script(test: ModuleTest) -> str:
    """main.nf running the setup processes, then the module, and writing each emit as JSON."""
    calls = [_call(step["process"], step["inputs"]) for step in test.setup]
    calls.append(_call(test.process, test.inputs))
    return f"""nextflow.enable.dsl = 2
nextflow.preview.topic = true
{_include_lines([step["process"] for step in test.setup] + [test.process])}
// As main.nf: the safe-ID rule that ext.prefix is checked against.
VarrankContract.load(file('{REPO_ROOT / "assets" / "stage_contract.json"}'))

/** Paths as absolute strings, the rest as they print; lists and maps kept. */
def plain(item) {{
    if (item instanceof java.nio.file.Path) return item.toAbsolutePath().toString()
    if (item instanceof Map) return item.collectEntries {{ k, v -> [k.toString(), plain(v)] }}
    if (item instanceof List) return item.collect {{ plain(it) }}
    return item == null ? null : item.toString()
}}

workflow {{
{chr(10).join(calls)}
    {test.process}.out.getNames().each {{ name ->
        {test.process}.out.getProperty(name).toList()
            .map {{ items -> groovy.json.JsonOutput.toJson(plain(items)) }}
            .collectFile(name: "${{name}}.json", storeDir: params.emits)
    }}
    Channel.topic('versions').map {{ process, tool, version -> [process, tool] }}.unique()
        .toSortedList {{ a, b -> a.toString() <=> b.toString() }}
        .map {{ groovy.json.JsonOutput.toJson(it) }}
        .collectFile(name: 'versions.json', storeDir: params.emits)
}}
"""


def prepare_launch(test: ModuleTest, launch: Path, emits: Path, params: dict[str, str]) -> Path:
    """A launch folder whose lib/ and bin/ are the pipeline's, as nf-test runs from the repo."""
    launch.mkdir(parents=True, exist_ok=True)
    for name in ("lib", "bin"):
        if not (launch / name).exists():
            (launch / name).symlink_to(REPO_ROOT / name)
    (launch / "main.nf").write_text(wrapper_script(test))
    # The pipeline's resource labels; their limits are unset here (this machine's, as locally).
    config = ["params.max_cpus = null", "params.max_memory = null", "params.max_time = '240.h'",
              f"includeConfig '{REPO_ROOT / 'conf' / 'base.config'}'", f"params.emits = '{emits}'"]
    config += [f"params.{key} = '{value}'" for key, value in params.items()]
    config.append(test.config)
    (launch / "nextflow.config").write_text("\n".join(config) + "\n")
    return launch / "main.nf"


def file_digest(path: Path) -> str:
    """md5 as nf-test's snapshots take it: of the bytes, of the uncompressed bytes for .gz (a
    gzip header holds a time stamp); Parquet by its rows and schema, since the writer's
    metadata (created_by) is not part of what a stage promises."""
    if path.suffix == ".parquet" and path.stat().st_size:
        table = pq.read_table(path)
        digest = hashlib.md5(table.schema.remove_metadata().to_string().encode())
        for batch in table.to_batches():
            for column in batch.columns:
                digest.update(json.dumps(column.to_pylist(), default=str, sort_keys=True).encode())
        return f"{path.name}:md5,{digest.hexdigest()}"
    data = path.read_bytes()
    if path.suffix == ".gz" and data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return f"{path.name}:md5,{hashlib.md5(data).hexdigest()}"


def _snap_item(item: Any, by_name: bool) -> Any:
    if isinstance(item, list):
        return [_snap_item(x, by_name) for x in item]
    if isinstance(item, dict):
        return item
    if isinstance(item, str) and item.startswith("/") and Path(item).is_file():
        return Path(item).name if by_name else file_digest(Path(item))
    if isinstance(item, str) and item.startswith("/") and Path(item).is_dir():
        # A folder output: its name, or (like nf-test's folder snapshots) each file's digest.
        folder = Path(item)
        return folder.name if by_name else [file_digest(f) for f in sorted(folder.rglob("*")) if f.is_file()]
    return item


def snapshot_of(test: ModuleTest, emits: Path) -> dict[str, Any]:
    """nf-test's snapshot content: each chosen emit's items, files as name:md5, plus versions."""
    content: dict[str, Any] = {}
    for name in test.snapshot + test.names_only:
        path = emits / f"{name}.json"
        items = json.loads(path.read_text()) if path.exists() else []
        content[name] = _snap_item(items, by_name=name in test.names_only)
    content["versions"] = json.loads((emits / "versions.json").read_text())
    return {"content": [content], "meta": {"nextflow": "24.10.0"}}


def emitted_names(emits: Path) -> set[str]:
    return {p.stem for p in emits.glob("*.json")} - {"versions"}


def read_snapshots(test: ModuleTest) -> dict[str, Any]:
    path = test.spec_dir / "main.nf.test.snap"
    return json.loads(path.read_text()) if path.exists() else {}


def write_snapshot(test: ModuleTest, snap: dict[str, Any]) -> None:
    path = test.spec_dir / "main.nf.test.snap"
    snaps = read_snapshots(test)
    snaps[test.name] = snap
    path.write_text(json.dumps(dict(sorted(snaps.items())), indent=4, sort_keys=False) + "\n")


def updating() -> bool:
    return os.environ.get("VARRANK_UPDATE_SNAPSHOTS") == "1"
