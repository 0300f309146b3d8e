"""The bundled DEMO patient for `-profile test` and `make demo`, built from real records only.

Genotypes: sample HG00096 (1000 Genomes phase 3, GBR, male) at the 2,052 BRCA1 sites of the
GRCh38 1000G file, keeping the sites where HG00096 carries a non-reference allele. Spike:
one real ClinVar record inside the chr17 slice, BRCA1 NM_007294.3:c.3G>A p.(Met1Ile)
(chr17:43124094 C>T, ClinVar AlleleID 424868; CLINICAL_SIGNIFICANCE_ORDERED likely
pathogenic, conflicting interpretations in that release), given to the demo patient as a
heterozygous call. No Pathogenic-only BRCA1 record of the mirrored GRCh38 ClinVar files
falls inside the slice; this start-loss is the most severe one that does. The demo patient
is therefore fictional; every allele in it is real, and the VCF header says which is which.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import tempfile
from pathlib import Path

import pysam

from varrank.core.errors import ResourceError
from varrank.testdata.derive import pad_slice
from varrank.testdata.manifest import locate

log = logging.getLogger(__name__)

PATIENT = "DEMO"
SOURCE_SAMPLE = "HG00096"
SEX = "male"  # HG00096 is male in the 1000 Genomes sample sheet
# Breast carcinoma + prostate cancer: the HBOC spectrum as it presents in a male BRCA carrier.
HPO_TERMS = ("HP:0003002", "HP:0012125")
GENOME = "GRCh38"
GENOTYPES_VCF = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
CLINVAR_VCF = "variants/clinvar/macarthur_clinvar_alleles.multi.b38.vcf.gz"
REFERENCE_SLICE = "reference/GRCh38_chr17_42425000-43600000.fa"
SPIKE = {"chrom": "17", "pos": 43124094, "ref": "C", "alt": "T", "allele_id": "424868"}
SAMPLESHEET_COLUMNS = ("patient", "vcf", "index", "sex", "hpo_terms", "family_id",
                       "paternal_id", "maternal_id", "phenotype")


def _find_spike(clinvar: Path) -> str:
    """Return a provenance string for the spiked ClinVar record, checking it is really there."""
    pysam.set_verbosity(0)  # htslib warns about fields of unrelated records; not the user's concern
    with pysam.VariantFile(str(clinvar)) as vcf:
        for rec in vcf:
            if (rec.chrom, rec.pos, rec.ref, rec.alts) == (SPIKE["chrom"], SPIKE["pos"], SPIKE["ref"],
                                                          (SPIKE["alt"],)):
                if str(rec.info.get("ALLELE_ID")) != SPIKE["allele_id"]:
                    break
                hgvs = rec.info.get("HGVS_C")
                sig = rec.info.get("CLINICAL_SIGNIFICANCE_ORDERED")
                return f"ClinVar AlleleID {SPIKE['allele_id']} {hgvs} ({sig}) from {clinvar.name}"
    raise ResourceError(f"the demo's ClinVar record chr17:{SPIKE['pos']} is not in {clinvar}", path=clinvar)


def build_demo_vcf(genotypes_vcf: Path, clinvar_vcf: Path, out_vcf: Path) -> Path:
    """Write the demo patient's bgzipped VCF (+ .tbi); deterministic for the same inputs."""
    provenance = _find_spike(clinvar_vcf)
    with pysam.VariantFile(str(genotypes_vcf)) as src:
        src.subset_samples([SOURCE_SAMPLE])
        header = src.header.copy()
        header.add_line(f'##varrank_demo=<Description="Fictional demo patient built from real records: '
                        f'{SOURCE_SAMPLE} genotypes from {genotypes_vcf.name} (non-reference sites only) '
                        f'plus one spiked ClinVar record (INFO/DEMO_SPIKE)">')
        header.add_line('##INFO=<ID=DEMO_SPIKE,Number=1,Type=String,Description="Real ClinVar record '
                        'added to the demo patient as a heterozygous call (source in the value)">')
        records = []
        for rec in src:
            gt = rec.samples[SOURCE_SAMPLE]["GT"]
            if any(a not in (None, 0) for a in gt):
                records.append(str(rec))
    spike_line = "\t".join([
        "chr17", str(SPIKE["pos"]), ".", SPIKE["ref"], SPIKE["alt"], ".", "PASS",
        "DEMO_SPIKE=" + provenance.replace(" ", "_").replace(";", ",").replace("=", ":"),
        "GT", "0/1"]) + "\n"
    records.append(spike_line)
    records.sort(key=lambda line: int(line.split("\t", 2)[1]))
    return write_bgzip_vcf(str(header) + "".join(records), out_vcf)


def write_bgzip_vcf(text: str, out_vcf: Path) -> Path:
    """bgzip and index a VCF's text; an identical file keeps its mtime (and -resume its cache)."""
    out_vcf.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_vcf.parent, prefix=f".{out_vcf.name}.", suffix=".vcf")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    packed = Path(f"{tmp}.gz")
    try:
        pysam.tabix_compress(tmp, str(packed), force=True)
        if out_vcf.exists() and out_vcf.read_bytes() == packed.read_bytes():
            packed.unlink()
        else:
            os.chmod(packed, 0o644)
            os.replace(packed, out_vcf)
            Path(f"{out_vcf}.tbi").unlink(missing_ok=True)
    finally:
        Path(tmp).unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
    if not Path(f"{out_vcf}.tbi").exists():
        pysam.tabix_index(str(out_vcf), preset="vcf", force=True)
    return out_vcf


def prepare(data_dir: str | Path | None, out: str | Path) -> dict[str, Path]:
    """Write OUT/samplesheet.csv, OUT/DEMO.vcf.gz(+.tbi), OUT/reference/, OUT/params.json
    (input, fasta, genome: read by the Nextflow test profile) and OUT/demo.json (provenance)."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    genotypes = locate(GENOTYPES_VCF, data_dir)
    clinvar = locate(CLINVAR_VCF, data_dir)
    fasta = pad_slice(locate(REFERENCE_SLICE, data_dir), out / "reference", GENOME)
    vcf = build_demo_vcf(genotypes, clinvar, out / f"{PATIENT}.vcf.gz")
    index = Path(f"{vcf}.tbi")

    sheet = io.StringIO()
    writer = csv.writer(sheet, lineterminator="\n")
    writer.writerow(SAMPLESHEET_COLUMNS)
    writer.writerow([PATIENT, str(vcf), str(index), SEX, ";".join(HPO_TERMS), PATIENT, "0", "0", "2"])
    samplesheet = out / "samplesheet.csv"
    write_if_changed(samplesheet, sheet.getvalue())
    # params.json feeds `-profile test` (conf/test.config copies every key into params), so
    # it holds only parameters nextflow_schema.json knows; provenance goes to demo.json.
    params = {"input": str(samplesheet), "fasta": str(fasta), "genome": GENOME}
    params_path = out / "params.json"
    write_if_changed(params_path, json.dumps(params, indent=2) + "\n")
    provenance = {
        "patient": PATIENT, "fictional": True, "source_sample": SOURCE_SAMPLE, "sex": SEX,
        "hpo_terms": list(HPO_TERMS), "genotypes": GENOTYPES_VCF, "reference_slice": REFERENCE_SLICE,
        "spike": {"variant": f"chr17:{SPIKE['pos']}:{SPIKE['ref']}:{SPIKE['alt']}", "genotype": "0/1",
                  "source": CLINVAR_VCF, "clinvar_allele_id": SPIKE["allele_id"]},
        "test_data": str(Path(genotypes).resolve().parents[2]),
    }
    write_if_changed(out / "demo.json", json.dumps(provenance, indent=2) + "\n")
    log.info("demo patient written to %s", out)
    return {"samplesheet": samplesheet, "vcf": vcf, "index": index, "fasta": fasta, "params": params_path}


def write_if_changed(path: Path, text: str) -> None:
    """Idempotent: an unchanged file keeps its mtime, so Nextflow -resume keeps its cache."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
