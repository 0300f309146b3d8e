"""A cohort of fictional patients on the test resources, for cohort runs and their benchmark.

Built from real records only, like the DEMO patient (demo.py): the genotypes of the three
1000 Genomes samples the GRCh38 BRCA1 file holds (HG00096 male, HG00099 female, HG00101 male)
and the real ClinVar BRCA1 records inside the reference slice, spiked as heterozygous calls.
Singletons rotate over sample x spike (none, one or the other record) x HPO profile. A family
is a trio VCF of the three samples (HG00096 as the affected son, HG00101 the father, HG00099
the mother) with the spike in the son only, i.e. de novo. Every patient ID names its recipe;
the same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pysam

from varrank.core.errors import InputError
from varrank.testdata.demo import GENOTYPES_VCF, SAMPLESHEET_COLUMNS, write_bgzip_vcf, write_if_changed
from varrank.testdata.manifest import locate

log = logging.getLogger(__name__)

SAMPLES = (("HG00096", "male"), ("HG00099", "female"), ("HG00101", "male"))
# Real ClinVar BRCA1 records inside the GRCh38 slice (macarthur-lab b38 table, demo.py's file).
SPIKES = (None,
          {"pos": 43124094, "ref": "C", "alt": "T", "allele_id": "424868"},
          {"pos": 43124097, "ref": "T", "alt": "C", "allele_id": "480485"})
HPO_PROFILES = ("HP:0003002;HP:0012125", "HP:0003002", "HP:0100615;HP:0003002", "HP:0001250")
TRIO = (("KID", "HG00096", "male"), ("DAD", "HG00101", "male"), ("MUM", "HG00099", "female"))


@dataclass(frozen=True)
class Member:
    vcf_name: str        # sample name in the patient's VCF
    source: str          # 1000 Genomes sample whose genotypes it carries
    spiked: bool


def _vcf_text(genotypes: Path, members: list[Member], spike: dict | None, note: str) -> str:
    """The members' non-reference sites (GT only), plus the spike where a member carries it."""
    with pysam.VariantFile(str(genotypes)) as src:
        src.subset_samples(list(dict.fromkeys(m.source for m in members)))
        meta = [h + "\n" for h in str(src.header).splitlines() if h.startswith("##")]
        lines = []
        for rec in src:
            gts = [rec.samples[m.source]["GT"] for m in members]
            if any(a not in (None, 0) for gt in gts for a in gt):
                fields = str(rec).rstrip("\n").split("\t")[:8]
                calls = ["/".join("." if a is None else str(a) for a in gt) for gt in gts]
                lines.append("\t".join([*fields, "GT", *calls]) + "\n")
    if spike:
        calls = ["0/1" if m.spiked else "0/0" for m in members]
        lines.append("\t".join(["chr17", str(spike["pos"]), ".", spike["ref"], spike["alt"], ".",
                                "PASS", ".", "GT", *calls]) + "\n")
    lines.sort(key=lambda line: int(line.split("\t", 2)[1]))
    chrom = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                       *(m.vcf_name for m in members)]) + "\n"
    return "".join(meta) + f'##varrank_cohort=<Description="{note}">\n' + chrom + "".join(lines)


def _singleton(i: int) -> tuple[str, str, dict | None, str]:
    source, sex = SAMPLES[i % len(SAMPLES)]
    spike = SPIKES[(i // len(SAMPLES)) % len(SPIKES)]
    tag = f"s{spike['allele_id']}" if spike else "s0"
    return f"C{i + 1:03d}-{source}-{tag}", sex, spike, source


def build_cohort(data_dir: str | Path | None, out: str | Path, patients: int,
                 families: int) -> Path:
    """Write OUT/cohort/samplesheet.csv and one VCF per singleton or family; returns the sheet.
    The resources come from `varrank testdata prepare` into the same OUT (the test profile)."""
    if patients < 1 or families < 0 or families > patients:
        raise InputError(f"--patients {patients} / --families {families}: need 1 <= patients and "
                         "0 <= families <= patients (a family brings one analysed proband)")
    out = Path(out).resolve()
    genotypes = locate(GENOTYPES_VCF, data_dir)
    folder = out / "cohort"
    rows: list[list[str]] = []
    for i in range(patients - families):
        pid, sex, spike, source = _singleton(i)
        vcf = write_bgzip_vcf(_vcf_text(genotypes, [Member(pid, source, True)], spike,
                                        f"Fictional cohort patient {pid} from real records"),
                              folder / f"{pid}.vcf.gz")
        rows.append([pid, str(vcf), f"{vcf}.tbi", sex, HPO_PROFILES[i % len(HPO_PROFILES)],
                     "", "", "", "2"])
    for f in range(families):
        fam = f"F{f + 1:02d}"
        spike = SPIKES[1 + f % (len(SPIKES) - 1)]
        members = [Member(f"{fam}-{role}", source, role == "KID") for role, source, _ in TRIO]
        vcf = write_bgzip_vcf(_vcf_text(genotypes, members, spike,
                                        f"Fictional trio {fam} from real records; the spike is de novo in the son"),
                              folder / f"{fam}.trio.vcf.gz")
        kid, dad, mum = (m.vcf_name for m in members)
        rows.append([kid, str(vcf), f"{vcf}.tbi", "male", HPO_PROFILES[f % len(HPO_PROFILES)], fam, dad, mum, "2"])
        rows.append([dad, "", "", "male", "", fam, "0", "0", "1"])
        rows.append([mum, "", "", "female", "", fam, "0", "0", "1"])
    sheet = io.StringIO()
    writer = csv.writer(sheet, lineterminator="\n")
    writer.writerow(SAMPLESHEET_COLUMNS)
    writer.writerows(rows)
    path = folder / "samplesheet.csv"
    write_if_changed(path, sheet.getvalue())
    log.info("cohort of %d patients (%d trios) in %s", patients, families, folder)
    return path
