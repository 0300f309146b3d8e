"""`varrank report multiqc`: MultiQC custom content from report.json files, read back by
MultiQC itself (the oracle for the file formats), with untrusted text kept inert."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from varrank.core.errors import InputError
from varrank.report.multiqc import ledger_counts, write_multiqc_content

REPO_ROOT = Path(__file__).resolve().parents[3]


def _report(pid: str, *, ti_tv: float, sex: str, dropped: int, tool_use: str = "all stages") -> dict:
    return {
        "patient": {"id": pid, "genome_build": "GRCh38"},
        "summary": {"variants": 100, "ranked": 98, "excluded": 1},
        "qc": {"metrics": {"ti_tv": ti_tv, "het_hom_ratio": 1.6, "pass_fraction": 0.97,
                           "ref_check": {"mismatches": 0},
                           "sex": {"declared": "female", "inferred": sex, "check": "mismatch" if sex == "male" else "ok"}}},
        "exclusions": {"stages": [
            {"stage": "ingest", "reasons": [{"reason": "proband_hom_ref", "count": dropped, "kind": "dropped"},
                                            {"reason": "low_gq", "count": 7, "kind": "flagged"}]},
            {"stage": "annotate", "reasons": []}]},
        "methods": {"tools": [{"name": "varrank", "version": "0.1.0", "used_for": tool_use}],
                    "licences": [{"what": "model spliceai", "licence": "CC BY-NC 4.0", "non_commercial": True}],
                    "resources": [{"kind": "annotation bundle"}]},
    }


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    for pid, ti_tv, sex, dropped in (("P1", 2.05, "female", 3), ("P2", 2.31, "male", 0)):
        (folder / pid).mkdir(parents=True)
        doc = _report(pid, ti_tv=ti_tv, sex=sex, dropped=dropped,
                      tool_use="<script>alert(1)</script>\tx" if pid == "P2" else "all stages")
        (folder / pid / f"{pid}.report.json").write_text(json.dumps(doc))
    return folder


def test_ledger_counts_take_dropped_records_and_exclusions():
    counts = ledger_counts(_report("P1", ti_tv=2.0, sex="female", dropped=3))
    assert counts == {"ingest: proband_hom_ref": 3, "prioritise: excluded from ranking": 1}


def test_content_files_and_escaping(reports, tmp_path):
    out = tmp_path / "mqc"
    names = sorted(p.name for p in write_multiqc_content([reports], out))
    assert names == ["varrank_general_stats_mqc.tsv", "varrank_ledger_mqc.tsv",
                     "varrank_methods_description_mqc.yaml", "varrank_qc_mqc.tsv"]
    qc_rows = [line.split("\t") for line in (out / "varrank_qc_mqc.tsv").read_text().splitlines()
               if not line.startswith("#")]
    assert qc_rows[0][:3] == ["Sample", "Variants", "Ti/Tv"] and [r[0] for r in qc_rows[1:]] == ["P1", "P2"]
    assert qc_rows[2][qc_rows[0].index("Sex check")] == "mismatch"
    methods = json.loads((out / "varrank_methods_description_mqc.yaml").read_text())
    assert "<script>" not in methods["data"] and "&lt;script&gt;" in methods["data"]
    assert "CC BY-NC 4.0 (non-commercial)" in methods["data"]


def test_multiqc_reads_every_section(reports, tmp_path):
    multiqc = shutil.which("multiqc") or str(Path(__import__("sys").executable).parent / "multiqc")
    if not Path(multiqc).exists():
        pytest.fail("multiqc is not installed: run `make setup` (the qc extra)")
    out = tmp_path / "mqc"
    write_multiqc_content([reports], out)
    proc = subprocess.run([multiqc, str(out), "--config", str(REPO_ROOT / "assets" / "multiqc_config.yml"),
                           "--outdir", str(tmp_path / "report"), "--force", "--no-ansi"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "report" / "multiqc_data" / "multiqc_data.json").read_text())
    text = json.dumps(data)
    for section in ("varrank_qc", "varrank_ledger"):
        assert section in text, section
    page = (tmp_path / "report" / "multiqc_report.html").read_text()
    assert "varrank methods description" in page and "alert(1)" not in page.replace("&lt;script&gt;alert(1)", "")
    stats = (tmp_path / "report" / "multiqc_data" / "multiqc_general_stats.txt").read_text().splitlines()
    header, p1 = stats[0].split("\t"), stats[1].split("\t")
    assert p1[0] == "P1" and float(p1[header.index("custom_content_varrank-ti_tv")]) == pytest.approx(2.05)


def test_no_reports_or_a_broken_one_is_one_clear_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no \\*.report.json found"):
        write_multiqc_content([empty], tmp_path / "out")
    (empty / "P9.report.json").write_text("{not json")
    with pytest.raises(InputError, match="cannot read the report"):
        write_multiqc_content([empty], tmp_path / "out")
