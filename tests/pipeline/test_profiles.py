"""Every profile resolves with `nextflow config -profile <p>` and sets what it is for.

Nothing is submitted: the executors (Slurm, AWS/Google Batch, Kubernetes) and container
engines are not on a CI machine, so this checks the resolved configuration, the part the
pipeline owns (test_container.py runs -profile podman for real where Podman and the image
are). The harness sets NXF_OFFLINE=true, so the podman profile never pulls.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline

REPO_ROOT = Path(__file__).resolve().parents[2]

# profile -> lines its resolved configuration must contain
EXPECTED = {
    "test": ["input = ", "resourceLimits = [cpus:2, memory:'6 GB', time:'1h']"],
    # Without --test_full_dir nothing is read (main.nf then stops with the hint).
    "test_full": ["input = null", "test_full_dir = null"],
    "docker": ["docker {", "enabled = true", "container = 'varrank/varrank:0.1.0'"],
    "podman": ["podman {", "enabled = true", "runOptions = '--pull=never'",
               "container = 'varrank/varrank:0.1.0'"],
    "singularity": ["singularity {", "enabled = true", "autoMounts = true",
                    "container = 'docker://varrank/varrank:0.1.0'"],
    "gpu": ["withLabel:process_gpu {", "accelerator = 1", "--gpus all", "--nv"],
    "awsbatch": ["executor = 'awsbatch'", "region = 'eu-west-1'",
                 "resourceLimits = [cpus:16, memory:'128 GB'"],
    "google": ["executor = 'google-batch'", "location = 'europe-west2'"],
    "k8s": ["executor = 'k8s'", "storageMountPath = '/workspace'"],
    "slurm": ["executor = 'slurm'", "queueSize = 50", "resourceLimits = [cpus:16, memory:'128 GB'"],
}


def test_every_documented_profile_is_tested():
    config = (REPO_ROOT / "nextflow.config").read_text()
    block = config[config.index("profiles {"):]
    defined = set(re.findall(r"^\s{4}(\w+)\s+\{", block, flags=re.M))
    assert defined == set(EXPECTED)
    docs = (REPO_ROOT / "docs" / "usage.md").read_text()
    for profile in defined:
        assert f"`{profile}`" in docs, f"profile {profile} is not documented in docs/usage.md"


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_profile_resolves(nextflow, tmp_path, profile):
    result = nextflow("config", "-profile", profile, str(REPO_ROOT), cwd=tmp_path)
    assert result.returncode == 0, result.output
    for line in EXPECTED[profile]:
        assert line in result.output, f"{profile}: missing {line!r}\n{result.output}"


def test_config_params_match_schema(nextflow, tmp_path):
    """Each parameter has a default in nextflow.config and an entry in the schema, and back."""
    result = nextflow("config", "-flat", str(REPO_ROOT), cwd=tmp_path)
    assert result.returncode == 0, result.output
    in_config = set(re.findall(r"^params\.(\w+) = ", result.output, flags=re.M))
    schema = json.loads((REPO_ROOT / "nextflow_schema.json").read_text())
    in_schema = {n for group in schema["$defs"].values() for n in group["properties"]}
    assert in_config == in_schema
    for group in schema["$defs"].values():
        for name, prop in group["properties"].items():
            assert prop.get("type") and prop.get("description"), name
