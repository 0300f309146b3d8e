"""The stage registry is the one source: the Nextflow modules, the generated contract file and
`varrank run` are checked against it, flag by flag and file name by file name."""

from __future__ import annotations

import re

import pytest

from varrank.cli import build_parser
from varrank.core import contract
from varrank.core.options import to_argv
from varrank.run_cli import plan_stages

FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
OUTPUT_PATH = re.compile(r'path\("([^"]+)"\)')


def _module(repo_root, name: str) -> tuple[str, str, str]:
    text = (repo_root / "modules" / "local" / name / "main.nf").read_text()
    output = text.split("output:", 1)[1].split("script:", 1)[0]
    script, stub = text.split("script:", 1)[1].split("stub:", 1)
    return output, script, stub


def _ext_args(repo_root, process: str) -> set[str]:
    config = (repo_root / "conf" / "modules.config").read_text()
    block = re.search(rf"withName: '{process}' \{{(.*?)\n    \}}", config, re.S)
    if block is None:
        return set()
    lines = [line for line in block.group(1).splitlines() if "ext.args" in line]
    return {flag for line in lines for flag in FLAG.findall(line)}


def test_contract_file_is_current(repo_root):
    path = repo_root / contract.CONTRACT_FILE
    assert path.read_text() == contract.contract_json(), "run `varrank contract --write`"


@pytest.mark.parametrize("spec", contract.STAGES, ids=lambda s: str(s.name))
def test_module_calls_the_stage_as_the_registry_declares(repo_root, spec):
    name = str(spec.name)
    output, script, stub = _module(repo_root, name)
    flags = set(FLAG.findall(script.split("varrank-versions")[0])) | _ext_args(repo_root, name.upper())
    assert flags == set(spec.wiring()), f"{name}: module flags differ from the registry"
    globs = {g.replace("${prefix}", "{patient}") for g in OUTPUT_PATH.findall(output)}
    assert globs == {o.template for o in spec.outputs}
    touched = set(re.findall(r"\$\{prefix\}\.[\w.]+", stub))
    assert {o.template for o in spec.outputs if not o.optional} <= \
        {t.replace("${prefix}", "{patient}") for t in touched}
    assert f"label '{spec.label}'" in (repo_root / "modules" / "local" / name / "main.nf").read_text()


def _full_run(tmp_path, annotator: str) -> dict[str, list[str]]:
    models = tmp_path / "models"
    (models / "spliceai").mkdir(parents=True)
    (models / "spliceai" / "manifest.json").write_text("{}")
    argv = ["run", "--vcf", "p.vcf.gz", "--index", "p.vcf.gz.tbi", "--fasta", "ref.fa",
            "--genome", "GRCh38", "--patient", "P1", "--proband", "S1", "--sex", "female",
            "--ped", "f.ped", "--family-id", "F1", "--hpo", "HP:0001250", "--hpo-excluded", "HP:0000365", "--hpo-dir", "hpo", "--bundle", "b",
            annotator, "db", "--model-dir", str(models), "--annotation", "a.txt",
            "--threads", "3", "--secondary-findings", "--pdf", "--out", "o"]
    return dict(plan_stages(build_parser().parse_args(argv)))


@pytest.mark.parametrize("annotator", ["--snpeff-db", "--vep-cache"])
def test_varrank_run_passes_exactly_what_the_modules_pass(tmp_path, annotator):
    plan = _full_run(tmp_path, annotator)
    assert list(plan) == [str(s.name) for s in contract.STAGES]
    other = {"--snpeff-db": "--vep-cache", "--vep-cache": "--snpeff-db"}[annotator]
    for spec in contract.STAGES:
        argv = plan[str(spec.name)]
        expected = set(spec.wiring()) - ({other} if spec.name == "annotate" else set())
        assert set(FLAG.findall(" ".join(argv))) == expected, spec.name
    assert plan["score"][plan["score"].index("--threads") + 1] == "3"
    assert plan["ingest"][plan["ingest"].index("--genome") + 1] == "GRCh38"
    assert plan["report"].count("--ledger") == 4 and plan["report"].count("--manifest") == 3


def test_every_stage_command_parses_its_own_argument_list(tmp_path):
    parser = build_parser()
    for name, argv in _full_run(tmp_path, "--snpeff-db").items():
        parsed = parser.parse_args(argv)
        assert parsed.command == name


def test_to_argv_leaves_out_what_is_not_given():
    assert to_argv(contract.IngestArgs, {"vcf": "v", "patient": "P", "out": "o", "index": None,
                                         "proband": ""}) == [
        "--vcf", "v", "--patient", "P", "--out", "o"]


def test_plan_and_skip_rules():
    assert contract.plan_stages(set(), {})[0] == ["ingest", "prioritise", "report"]
    run, skipped = contract.plan_stages({"prioritise"}, {"annotation_db": "b"})
    assert run == ["ingest", "annotate", "report"]
    assert skipped == {"score": "no --model_dir", "prioritise": "--skip"}
