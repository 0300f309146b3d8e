"""Ensembl VEP as the alternative annotator: offline cache, run where `vep` is installed.

VEP (McLaren et al. 2016, Genome Biol 17:122) is not a Debian package; it runs from its
official container (ensemblorg/ensembl-vep) with an offline cache folder mounted, which is
how the Nextflow module calls it. Its CSQ output is parsed by the same code that reads CSQ
from VCFs annotated upstream (parse.py).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from varrank.annotate.consequence.parse import csq_format_from_header
from varrank.core.errors import ResourceError
from varrank.annotate.consequence.sites import read_annotated_sites, write_sites_vcf

log = logging.getLogger(__name__)

VEP_FLAGS = ["--offline", "--cache", "--vcf", "--hgvs", "--symbol", "--canonical", "--mane",
             "--numbers", "--biotype", "--no_stats", "--force_overwrite", "--allele_number"]


def run_vep(cache: Path, fasta: Path | None, genome: str,
            records: list[tuple[str, int, str, str]], workdir: Path
            ) -> tuple[dict[int, str], list[str], str]:
    """Annotate records with VEP; return row -> CSQ, the CSQ field list and the VEP version."""
    exe = shutil.which("vep")
    if exe is None:
        raise ResourceError("`vep` is not on PATH",
                            hint="run varrank annotate inside the ensemblorg/ensembl-vep container "
                                 "(Nextflow profile docker/singularity with params.annotator = 'vep'), "
                                 "or use --snpeff-db")
    if not cache.is_dir():
        raise ResourceError("VEP cache folder not found", path=cache,
                            hint="install it offline with INSTALL.pl -a cf -s homo_sapiens "
                                 f"-y {genome} -c DIR, then copy DIR")
    if fasta is None:
        raise ResourceError("VEP needs --fasta for HGVS in offline mode")
    vcf_in = write_sites_vcf(workdir / "vep_in.vcf", records)
    vcf_out = workdir / "vep_out.vcf"
    cmd = [exe, *VEP_FLAGS, "--dir_cache", str(cache), "--assembly", genome, "--fasta", str(fasta),
           "-i", str(vcf_in), "-o", str(vcf_out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ResourceError(f"VEP failed (exit {proc.returncode}): {tail}", path=cache)
    sites = read_annotated_sites(vcf_out, "CSQ")
    fields = csq_format_from_header(sites.info_description) if sites.info_description else []
    version = next(("VEP " + line.split("=", 1)[1].split()[0].strip('"')
                    for line in sites.header_lines if line.startswith("##VEP=")), "VEP")
    return sites.values, fields, version
