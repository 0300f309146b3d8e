"""snpEff: build a database offline from GFF3/GTF + FASTA, and annotate the patient's variants.

snpEff (Cingolani et al. 2012, Fly 6:80) is the embedded default annotator: one Java jar,
Debian package ``snpeff``, a database built locally from the same GENCODE/MANE GFF3 and FASTA
the rest of the pipeline uses, so no download happens at run time (``-nodownload``).

Database folder layout (what ``varrank resources snpeff-db`` writes)::

    DIR/manifest.json           genome build, sources with sha256, snpEff version, counts
    DIR/data/<name>/snpEffectPredictor.bin, sequence.bin   snpEff's database
    DIR/transcripts.parquet     exon models + MANE/canonical tags (gene_model.py)
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from varrank.annotate.consequence.gene_model import models_table, read_models
from varrank.core.checksums import check_listed_files, file_entries, sha256_file
from varrank.core.errors import ResourceError
from varrank.core.genome import contig_mapper
from varrank.core.json_schema import check, check_written
from varrank.core.progress import Progress, run_counting_lines
from varrank.core.reference import fasta_contig_lengths
from varrank.annotate.consequence.sites import read_annotated_sites, write_sites_vcf

log = logging.getLogger(__name__)

DEFAULT_JARS = ("/usr/share/java/snpeff.jar", "/usr/share/snpeff/snpEff.jar")
DB_MANIFEST = "manifest.json"
MODELS = "transcripts.parquet"


def snpeff_command(xmx: str | None = None) -> list[str]:
    """How to start snpEff: $VARRANK_SNPEFF_JAR or the Debian jar via java, else `snpEff`."""
    xmx = xmx or os.environ.get("VARRANK_SNPEFF_XMX", "4g")
    jar = os.environ.get("VARRANK_SNPEFF_JAR") or next(
        (j for j in DEFAULT_JARS if Path(j).is_file()), None)
    java = shutil.which("java")
    if jar and java:
        return [java, f"-Xmx{xmx}", "-jar", jar]
    exe = shutil.which("snpEff") or shutil.which("snpeff")
    if exe:
        return [exe, f"-Xmx{xmx}"]
    raise ResourceError("snpEff is not installed (no snpeff.jar + java, no snpEff on PATH)",
                        hint="apt-get install snpeff (Debian) or conda install -c bioconda snpeff, "
                             "or set VARRANK_SNPEFF_JAR")


def snpeff_version() -> str:
    try:
        proc = subprocess.run(snpeff_command("256m") + ["-version"], capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ResourceError(f"cannot run snpEff: {err}") from None
    text = (proc.stdout + proc.stderr).strip().splitlines()
    return f"snpEff {text[0].split()[1]}" if text and len(text[0].split()) > 1 else "snpEff unknown"


def _write_config(path: Path, data_dir: Path, name: str, description: str) -> None:
    path.write_text(f"data.dir = {data_dir}/\n{name}.genome : {description}\n")



def build_snpeff_db(annotation: Path, fasta: Path, genome: str, out: Path,
                    name: str | None = None, force: bool = False) -> Path:
    """Build a snpEff database folder atomically (temp folder renamed at the end)."""
    out = out.resolve()
    if out.exists() and not force:
        raise ResourceError("snpEff database folder already exists", hint="use --force", path=out)
    if not annotation.is_file():
        raise ResourceError("annotation file not found", path=annotation)
    lengths = fasta_contig_lengths(fasta, genome)
    models, counts, fmt = read_models(annotation, lengths, contig_mapper(lengths))
    name = name or f"varrank_{genome}"
    if not re.match(r"^[A-Za-z0-9._-]+$", name):
        raise ResourceError(f"database name {name!r} may only use letters, digits, '.', '_', '-'")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        genome_dir = tmp / "data" / name
        genome_dir.mkdir(parents=True)
        gene_file = genome_dir / ("genes.gff" if fmt == "gff3" else "genes.gtf")
        _copy_renamed(annotation, gene_file, contig_mapper(lengths))
        seq_name = "sequences.fa.gz" if str(fasta).endswith((".gz", ".bgz")) else "sequences.fa"
        os.symlink(fasta.resolve(), genome_dir / seq_name)
        config = tmp / "snpEff.config"
        _write_config(config, tmp / "data", name, f"varrank {genome}")
        cmd = snpeff_command() + ["build", f"-{'gff3' if fmt == 'gff3' else 'gtf22'}",
                                  "-noCheckCds", "-noCheckProtein", "-noLog", "-c", str(config),
                                  "-v", name]
        log.info("building snpEff database %s from %s", name, annotation)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (genome_dir / "snpEffectPredictor.bin").is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            raise ResourceError(f"snpEff build failed (exit {proc.returncode}): {tail}",
                                path=annotation)
        (genome_dir / seq_name).unlink()
        config.unlink()
        gene_file.rename(genome_dir / (gene_file.name + ".source"))
        pq.write_table(models_table(models), tmp / MODELS)
        manifest = {
            "snpeff_db_format": 1, "name": name, "genome_build": genome,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "annotator": snpeff_version(),
            "annotation": {"path": str(annotation.resolve()), "sha256": sha256_file(annotation),
                           "format": fmt, "features": counts},
            "fasta": {"path": str(fasta.resolve()),
                      "contigs": {c: lengths[c] for c in sorted({m["chrom"] for m in models})}},
            "transcripts": len({m["transcript_id"] for m in models}),
            "mane_select_tagged": sum(1 for m in models if m["is_mane_select"]),
            "canonical_tagged": sum(1 for m in models if m["is_canonical"]),
        }
        # Sizes are checked at every open, sha256 by `varrank resources verify`.
        manifest["db_files"] = file_entries(tmp, skip={DB_MANIFEST})
        check_written(manifest, "snpeff_db_manifest")
        (tmp / DB_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _copy_renamed(src: Path, dst: Path, mapper: dict[str, str]) -> None:
    """Copy the annotation with contigs spelled as in the FASTA (checked by read_models)."""
    from varrank.annotate.vcf_text import iter_lines

    with open(dst, "w") as out:
        for _, line in iter_lines(src):
            if line.startswith("##FASTA"):
                break
            if line and not line.startswith("#"):
                seqid, rest = line.split("\t", 1)
                line = f"{mapper.get(seqid, seqid)}\t{rest}"
            out.write(line + "\n")


REBUILD_DB = "rebuild it with `varrank resources snpeff-db`, or copy the folder again"


def open_snpeff_db(db: Path, genome: str | None, checksums: bool = False) -> dict:
    """Check a database folder and return its manifest; missing, damaged (files of another
    size than the manifest lists; sha256 too with ``checksums``) or other-build -> ResourceError."""
    manifest_path = db / DB_MANIFEST
    if not manifest_path.is_file():
        raise ResourceError("not a snpEff database folder (no manifest.json)",
                            hint="build one offline with `varrank resources snpeff-db --gff3 F "
                                 "--fasta F --genome GRCh38 --out DIR`", path=db)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ResourceError(f"manifest is not valid JSON ({err})", path=manifest_path,
                            hint=REBUILD_DB) from None
    check(manifest, "snpeff_db_manifest", manifest_path, ResourceError,
          "not a snpEff database manifest", hint=REBUILD_DB)
    entries = manifest.get("db_files")
    if entries is not None:
        if any(Path(e["path"]).is_absolute() or ".." in Path(e["path"]).parts for e in entries):
            raise ResourceError("manifest lists a file outside the database folder", path=manifest_path,
                                hint=REBUILD_DB)
        check_listed_files(db, entries, "snpEff database", checksums=checksums, hint=REBUILD_DB)
    predictor = db / "data" / manifest["name"] / "snpEffectPredictor.bin"
    if not predictor.is_file():
        raise ResourceError("snpEff database is incomplete (no snpEffectPredictor.bin)",
                            hint="rebuild it with `varrank resources snpeff-db`", path=predictor)
    if genome and manifest["genome_build"] != genome:
        raise ResourceError(f"the snpEff database is {manifest['genome_build']} but the patient's "
                            f"variants are {genome}", path=db)
    return manifest


def read_models_table(db: Path) -> pa.Table:
    """The database's transcript table (MANE/canonical flags), as ``build_snpeff_db`` wrote it."""
    path = db / MODELS
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise ResourceError(f"the snpEff database's transcript table is unreadable "
                            f"({str(err).splitlines()[0][:120]})", path=path, hint=REBUILD_DB) from None


def run_snpeff(db: Path, manifest: dict, records: list[tuple[str, int, str, str]],
               workdir: Path) -> dict[int, str]:
    """Annotate records (chrom, pos, ref, alt); return row index -> INFO/ANN (absent: no ANN)."""
    vcf_in = write_sites_vcf(workdir / "snpeff_in.vcf", records)
    config = workdir / "snpEff.config"
    _write_config(config, db.resolve() / "data", manifest["name"], "varrank")
    vcf_out = workdir / "snpeff_out.vcf"
    cmd = snpeff_command() + ["ann", "-noStats", "-noLog", "-nodownload", "-c", str(config),
                              manifest["name"], str(vcf_in)]
    log.info("running snpEff on %d variants", len(records))
    # lines written, header included: a few dozen more than the records
    status, stderr = run_counting_lines(
        cmd, vcf_out, Progress("snpEff ann", total=len(records), unit="lines"))
    if status != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        raise ResourceError(f"snpEff ann failed (exit {status}): {tail}", path=db)
    return read_annotated_sites(vcf_out, "ANN").values
