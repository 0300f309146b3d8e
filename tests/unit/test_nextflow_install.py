"""The offline Nextflow install (scripts/setup.d/20-nextflow.sh): pinned, idempotent, usable.

Uses the jar cache that `make setup` filled, so it does not hit Maven Central; a second
install must not resolve again.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STEP = REPO_ROOT / "scripts" / "setup.d" / "20-nextflow.sh"


def pinned_version() -> str:
    pom = (REPO_ROOT / "scripts" / "nextflow" / "pom.xml").read_text()
    return re.search(r"<nextflow.version>([^<]+)</nextflow.version>", pom).group(1)


def test_install_into_a_fresh_venv_bin_is_idempotent_and_runs(tmp_path):
    venv = tmp_path / "venv"
    env = dict(os.environ, VENV=str(venv), NXF_OFFLINE="true")
    first = subprocess.run(["bash", str(STEP)], env=env, capture_output=True, text=True,
                           timeout=600, stdin=subprocess.DEVNULL)
    assert first.returncode == 0, first.stderr
    launcher = venv / "bin" / "nextflow"
    assert os.access(launcher, os.X_OK)
    text = launcher.read_text()
    assert "nextflow.cli.Launcher" in text and "--add-opens=java.base/" in text
    assert str(REPO_ROOT) not in text, "the jars must live outside the work tree"

    second = subprocess.run(["bash", str(STEP)], env=env, capture_output=True, text=True,
                            timeout=600, stdin=subprocess.DEVNULL)
    assert second.returncode == 0, second.stderr
    assert "already resolved" in second.stdout

    version = subprocess.run([str(launcher), "-version"], env=env, capture_output=True,
                             text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert version.returncode == 0, version.stderr
    assert f"version {pinned_version()}" in version.stdout


@pytest.fixture(scope="module")
def launcher(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run(["bash", str(STEP)], env=dict(os.environ, VENV=str(venv)), check=True,
                   capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    return venv / "bin" / "nextflow"


def test_launcher_refuses_self_update(launcher):
    result = subprocess.run([str(launcher), "self-update"], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "pinned offline install" in result.stderr


def test_missing_jars_give_a_hint_not_a_java_error(launcher, tmp_path):
    result = subprocess.run([str(launcher), "-version"],
                            env=dict(os.environ, VARRANK_NXF_LIB=str(tmp_path / "empty")),
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "engine jars are missing" in result.stderr and "make setup" in result.stderr
