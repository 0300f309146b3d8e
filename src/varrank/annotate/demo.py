"""ANNOTATE resources for the DEMO patient (`-profile test`), built from the mirrored test data.

`varrank testdata prepare` pads the GRCh38 chr17 slice; this builds, from the same files, a
GRCh38 annotation bundle (the ClinVar-derived macarthur-lab b38 table, which holds the demo's
spiked BRCA1 c.3G>A record, and the 1000 Genomes BRCA1 frequencies) and a snpEff database
(GENCODE v19 BRCA1 GFF3 lifted to GRCh38). Sources are split but not left-aligned: the ClinVar
table spans the whole genome and the padded FASTA holds real bases only inside the slice.
Returns the params to add to params.json (``annotation_db``, ``snpeff_db``).
"""

from __future__ import annotations

import json
from pathlib import Path

from varrank.annotate.bundle_build import BUNDLE_FORMAT_VERSION, BuildRequest, build_bundle
from varrank.annotate.consequence.snpeff import build_snpeff_db
from varrank.annotate.sources import SourceSpec
from varrank.testdata.manifest import locate

CLINVAR = "variants/clinvar/macarthur_clinvar_alleles.multi.b38.vcf.gz"
FREQUENCIES = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
GFF3 = "annotation/BRCA1_gencode_v19.GRCh38.gff3"


def _current_bundle(bundle: Path) -> bool:
    """A bundle already there in the format this varrank reads (an older one is rebuilt)."""
    try:
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("bundle_format") == BUNDLE_FORMAT_VERSION


def prepare_demo_resources(data_dir: str | Path | None, out: Path, fasta: Path) -> dict[str, str]:
    """Build OUT/annotation_bundle and OUT/snpeff_db (kept when already there)."""
    bundle, snpeff = out / "annotation_bundle", out / "snpeff_db"
    if not _current_bundle(bundle):
        build_bundle(BuildRequest(out=bundle, genome="GRCh38", force=True, sources=[
            SourceSpec("clinvar", "clinvar", [Path(locate(CLINVAR, data_dir))], "macarthur-lab-2018"),
            SourceSpec("popfreq", "tgp", [Path(locate(FREQUENCIES, data_dir))], "1kGP-phase3")]))
    if not (snpeff / "manifest.json").is_file():
        build_snpeff_db(Path(locate(GFF3, data_dir)), fasta, "GRCh38", snpeff, force=True)
    return {"annotation_db": str(bundle), "snpeff_db": str(snpeff)}
