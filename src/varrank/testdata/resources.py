"""Everything `-profile test`, `make demo` and `varrank run` need for the DEMO patient, from one
command (`varrank testdata prepare`), so the bundled demo runs the whole chain
INGEST -> ANNOTATE -> SCORE -> PRIORITISE -> REPORT.

1. the demo patient (samplesheet, VCF, padded GRCh38 chr17 reference, params.json):
   `varrank.testdata.demo.prepare`;
2. ANNOTATE's resources (annotation bundle with the ClinVar-derived macarthur-lab b38 table and
   1000 Genomes frequencies, snpEff database of the GENCODE BRCA1 models):
   `varrank.annotate.demo.prepare_demo_resources`;
3. SCORE's SpliceAI ONNX bundle (`varrank model export spliceai`) when the optional export
   toolchain and the spliceai wheel are installed (scripts/setup_export.sh, run by `make
   setup`), plus the SpliceAI gene table of the test data's GRCh38 slices;
4. OUT/resources.json with the pipeline parameters of 2 and 3 (annotation_db, snpeff_db,
   model_dir, score_annotation), which conf/test.config copies into params.

Idempotent: finished resources are kept and unchanged JSON files keep their mtime, so a second
prepare costs seconds and Nextflow -resume keeps its cache. Exporting SpliceAI takes about a
minute; the bundle is keyed (wheel + exporter sources) exactly like the score tests' cached
bundle under $VARRANK_CACHE/bundles, which is reused when present.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from pathlib import Path

from varrank.testdata.demo import write_if_changed
from varrank.testdata.manifest import locate

log = logging.getLogger(__name__)

SCORE_ANNOTATION = "annotation/spliceai_grch38_canonical.regions.txt"
EXPORT_MODULES = ("torch", "h5py", "onnx")
SPLICEAI_WHEEL_GLOB = "spliceai-1.3.1-*.whl"


def cache_dir() -> Path:
    """varrank's cache root ($VARRANK_CACHE, default ~/.cache/varrank), as setup_export.sh."""
    return Path(os.environ.get("VARRANK_CACHE", Path.home() / ".cache" / "varrank"))


def find_spliceai_wheel() -> Path | None:
    """$VARRANK_SPLICEAI_WHEEL, else the wheel scripts/setup_export.sh downloads."""
    env = os.environ.get("VARRANK_SPLICEAI_WHEEL")
    if env:
        return Path(env) if Path(env).is_file() else None
    found = sorted((cache_dir() / "wheels").glob(SPLICEAI_WHEEL_GLOB))
    return found[0] if found else None


def bundle_key(wheel: Path) -> str:
    """Key of an exported bundle: the wheel's and the exporter sources' checksums.

    The same key as tests/unit/score/conftest.py, so a bundle either of them exported is
    found by the other; a change to the exporter gives a new key (and a fresh export).
    """
    from varrank.score import export as export_pkg

    digest = hashlib.sha256(wheel.read_bytes())
    for source in sorted(Path(export_pkg.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def missing_export_modules() -> list[str]:
    """Export-toolchain modules that are not importable (checked without importing torch)."""
    return [m for m in EXPORT_MODULES if importlib.util.find_spec(m) is None]


def prepare_spliceai_bundle(resources: Path) -> Path | None:
    """The SpliceAI bundle folder, or None (with one log line saying why) when it cannot be had.

    Order: $VARRANK_SPLICEAI_BUNDLE; the score tests' cached export for this wheel and exporter;
    a previous export into RESOURCES; a fresh export into RESOURCES (needs torch, h5py, onnx).
    """
    env = os.environ.get("VARRANK_SPLICEAI_BUNDLE")
    if env:
        return Path(env).resolve()
    if os.environ.get("VARRANK_SKIP_EXPORT") == "1":
        log.warning("SpliceAI bundle not prepared: VARRANK_SKIP_EXPORT=1; SCORE will be skipped")
        return None
    wheel = find_spliceai_wheel()
    if wheel is None:
        log.warning("SpliceAI bundle not prepared: no spliceai wheel in %s (run "
                    "scripts/setup_export.sh or `make setup`); SCORE will be skipped",
                    cache_dir() / "wheels")
        return None
    key = bundle_key(wheel)
    for candidate in (cache_dir() / "bundles" / f"spliceai-{key}", resources / f"spliceai-{key}"):
        if (candidate / "manifest.json").is_file():
            log.info("SpliceAI bundle: reusing %s", candidate)
            return candidate.resolve()
    missing = missing_export_modules()
    if missing:
        log.warning("SpliceAI bundle not prepared: export toolchain missing (%s; run "
                    "scripts/setup_export.sh or `make setup`); SCORE will be skipped",
                    ", ".join(missing))
        return None
    from varrank.score.export.spliceai_export import export_spliceai

    target = resources / f"spliceai-{key}"
    log.info("exporting the SpliceAI bundle from %s into %s (about a minute)", wheel.name, target)
    # manifest.json is written last, so an interrupted export is redone, never half-used.
    export_spliceai(wheel, target, force=True)
    return target.resolve()


def prepare_all(data_dir: str | Path | None, out: str | Path) -> dict[str, Path]:
    """Prepare the demo patient and every resource of the chain; returns the written paths
    (samplesheet, vcf, index, fasta, params, resources)."""
    from varrank.annotate.demo import prepare_demo_resources
    from varrank.testdata.demo import prepare

    out = Path(out).resolve()
    log.info("prepare 1/3: demo patient into %s", out)
    paths = prepare(data_dir, out)
    resources_dir = out / "resources"
    resources_dir.mkdir(parents=True, exist_ok=True)
    log.info("prepare 2/3: annotation bundle (ClinVar, 1000 Genomes) and snpEff database")
    fasta = Path(paths["fasta"])
    params: dict[str, str] = dict(prepare_demo_resources(data_dir, resources_dir, fasta))
    log.info("prepare 3/3: SpliceAI model bundle and SCORE gene annotation")
    model = prepare_spliceai_bundle(resources_dir)
    if model is not None:
        params["model_dir"] = str(model)
        params["score_annotation"] = str(Path(locate(SCORE_ANNOTATION, data_dir)).resolve())
    resources_json = out / "resources.json"
    write_if_changed(resources_json, json.dumps(params, indent=2) + "\n")
    log.info("resources for -profile test written to %s (%s)", resources_json, ", ".join(params))
    return {**paths, "resources": resources_json}


