"""An index of ClinVar Pathogenic/Likely pathogenic missense changes by gene and residue.

PS1 and PM5 compare a patient's missense change with *other* variants classified in ClinVar,
so they need ClinVar at protein level, which the official ClinVar VCF does not carry (it has
no HGVS p.). The index is built from any of:

- a ClinVar VCF annotated with protein changes: the macarthur-lab ClinVar tables
  (INFO SYMBOL, HGVS_P, CLINICAL_SIGNIFICANCE, REVIEW_STATUS) or a VEP/snpEff-annotated
  ClinVar VCF run through ``varrank annotate`` (then pass its Parquet table);
- a TSV with columns gene_symbol, hgvs_p, clinvar_significance, clinvar_stars (and
  optionally variant_key, clinvar_variation_id);
- a varrank variant table (Parquet) with the same columns.

Keys are (gene symbol, residue number); a change is (ref aa, alt aa). Where the source gives
the NCBI Gene ID (ClinVar's GENEINFO ``GBA:2629``, a ``gene_ncbi_id`` column), a patient row
with the same ``gene_ncbi_id`` meets the index under the index's symbol, whatever symbol its
own annotator used (core/genes.py). The residue number
of HGVS p. depends on the transcript: the index and the patient table must use the same
transcript set (MANE Select on both sides), otherwise PM5 can fire on the wrong residue.
"""

from __future__ import annotations

import csv
import gzip
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from varrank.core.clinvar import is_pathogenic_assertion, review_stars
from varrank.core.errors import InputError
from varrank.core.genes import ncbi_gene_id
from varrank.core.schema import variant_key

LOG = logging.getLogger(__name__)

AA3 = {"Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
       "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
       "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
       "Pyl": "O"}
_AA1 = set(AA3.values())
_MISSENSE3 = re.compile(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})\)?$")
_MISSENSE1 = re.compile(r"p\.\(?([A-Z])(\d+)([A-Z])\)?$")


@dataclass(frozen=True)
class ProteinChange:
    residue: int
    ref: str
    alt: str


def parse_missense(hgvs_p: str | None) -> ProteinChange | None:
    """p.Arg97Trp / p.(Arg97Trp) / p.R97W, with or without 'NP_...:' -> ProteinChange.

    Anything that is not a single amino-acid substitution (synonymous, nonsense, frameshift,
    in-frame indel, p.?) returns None: PS1/PM5 are missense rules.
    """
    if not hgvs_p:
        return None
    text = str(hgvs_p).split(":")[-1].strip()
    m = _MISSENSE3.match(text)
    if m:
        ref, alt = AA3.get(m.group(1)), AA3.get(m.group(3))
    else:
        m = _MISSENSE1.match(text)
        if not m:
            return None
        ref, alt = m.group(1), m.group(3)
        if ref not in _AA1 or alt not in _AA1:
            return None
    if ref is None or alt is None or ref == alt:
        return None
    return ProteinChange(int(m.group(2)), ref, alt)


def is_truncating(hgvs_p: str | None) -> bool:
    """p.Arg97Ter / p.R97* / p.Gly12fs / p.(Gly12ValfsTer3): a premature stop or frameshift."""
    if not hgvs_p:
        return False
    text = str(hgvs_p).split(":")[-1]
    return bool(re.search(r"p\.\(?[A-Z][a-z]{0,2}\d+(?:[A-Z][a-z]{2})?(Ter|\*|fs)", text))


@dataclass(frozen=True)
class IndexedAssertion:
    gene: str
    change: ProteinChange
    hgvs_p: str
    significance: str
    stars: int
    variant_key: str | None
    variation_id: str | None


class ProteinIndex:
    """(gene, residue) -> ClinVar P/LP missense assertions at that residue."""

    def __init__(self) -> None:
        self._by_residue: dict[tuple[str, int], list[IndexedAssertion]] = defaultdict(list)
        # gene -> stars of each P/LP protein-truncating assertion (nonsense, frameshift):
        # evidence that LoF is a disease mechanism of the gene (PVS1), recessive genes included
        self.null_assertions: dict[str, list[int]] = defaultdict(list)
        self._symbol_of_ncbi: dict[str, str] = {}   # NCBI Gene ID -> the index's symbol
        self.source: str = ""

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_residue.values())

    def add(self, gene: str, hgvs_p: str, significance: str, stars: int,
            variant_key: str | None = None, variation_id: str | None = None,
            ncbi_id: str | None = None) -> bool:
        """Add one assertion; returns False (and keeps nothing) unless P/LP missense."""
        if not gene or not is_pathogenic_assertion(significance):
            return False
        if ncbi_id:
            self._symbol_of_ncbi.setdefault(ncbi_id, gene)
        if is_truncating(hgvs_p):
            self.null_assertions[gene].append(int(stars))
            return False
        change = parse_missense(hgvs_p)
        if change is None:
            return False
        self._by_residue[(gene, change.residue)].append(IndexedAssertion(
            gene, change, str(hgvs_p), str(significance), int(stars), variant_key,
            variation_id))
        return True

    def gene_of(self, symbol: str, ncbi_id: str | None = None) -> str:
        """The index's symbol for a patient row's gene: by NCBI Gene ID, else its own symbol."""
        return self._symbol_of_ncbi.get(ncbi_id, symbol) if ncbi_id else symbol

    def null_count(self, gene: str, min_stars: int) -> int:
        return sum(1 for s in self.null_assertions.get(gene, ()) if s >= min_stars)

    def at_residue(self, gene: str, residue: int) -> list[IndexedAssertion]:
        return list(self._by_residue.get((gene, residue), ()))

    @classmethod
    def load(cls, path: Path | str) -> "ProteinIndex":
        """Load from a VCF(.gz), TSV(.gz) or Parquet file, chosen by file name."""
        path = Path(path)
        if not path.exists():
            raise InputError("ClinVar protein index not found", path=path,
                             hint="pass a ClinVar VCF with HGVS_P, a TSV or a varrank table")
        name = path.name.lower()
        if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz")):
            index = _from_vcf(path)
        elif name.endswith(".parquet"):
            index = _from_parquet(path)
        else:
            index = _from_tsv(path)
        index.source = str(path)
        LOG.info("ClinVar protein index: %d P/LP missense assertions from %s", len(index), path)
        return index


def _open_text(path: Path):
    if path.name.lower().endswith((".gz", ".bgz")):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _from_vcf(path: Path) -> ProteinIndex:
    """ClinVar assertions with an HGVS_P from a VCF (macarthur-lab's, or ClinVar's own with
    a protein change annotated in), read with cyvcf2."""
    import cyvcf2

    index = ProteinIndex()
    try:
        reader = cyvcf2.VCF(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"not a readable VCF ({err})", path=path,
                         hint="give the ClinVar protein index as VCF, TSV or Parquet") from None
    try:
        for record in reader:
            _add_vcf_record(index, record)
    except Exception as err:  # cyvcf2 raises bare Exceptions on broken records
        raise InputError(f"unreadable VCF record ({err})", path=path,
                         hint="check the file with bcftools view") from None
    finally:
        reader.close()
    return index


def _info_text(info, *keys: str) -> str | None:
    """The first present INFO value among ``keys`` as text (cyvcf2 gives tuples for lists)."""
    for key in keys:
        value = info.get(key)
        if value is not None and value != "":
            return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return None


def _add_vcf_record(index: ProteinIndex, record) -> None:
    info = record.INFO
    hgvs_p = _info_text(info, "HGVS_P")
    if not hgvs_p:
        return
    # the aggregate status gives ClinVar's stars; _ORDERED lists each submission's
    review = _info_text(info, "REVIEW_STATUS", "CLNREVSTAT", "REVIEW_STATUS_ORDERED")
    significance = _info_text(info, "CLINICAL_SIGNIFICANCE", "CLNSIG")
    gene_info = _info_text(info, "GENEINFO") or ""
    gene = _info_text(info, "SYMBOL") or gene_info.split(":")[0]
    key = variant_key(record.CHROM, record.POS, record.REF, ",".join(record.ALT))
    index.add(gene, hgvs_p, significance or "", review_stars(review) or 0, key,
              _info_text(info, "VARIATION_ID") or record.ID, ncbi_gene_id(gene_info))


def _from_rows(rows, path: Path) -> ProteinIndex:
    index = ProteinIndex()
    required = {"gene_symbol", "hgvs_p", "clinvar_significance"}
    for n, row in enumerate(rows):
        if n == 0 and not required <= set(row):
            raise InputError(f"protein index lacks columns {sorted(required - set(row))}",
                             path=path)
        stars = row.get("clinvar_stars")
        index.add(row.get("gene_symbol") or "", row.get("hgvs_p") or "",
                  row.get("clinvar_significance") or "",
                  int(stars) if stars not in (None, "", ".") else 0,
                  row.get("variant_key"), row.get("clinvar_variation_id"),
                  ncbi_gene_id(row.get("gene_ncbi_id")))
    return index


def _from_tsv(path: Path) -> ProteinIndex:
    with _open_text(path) as handle:
        return _from_rows(csv.DictReader(handle, delimiter="\t"), path)


def _from_parquet(path: Path) -> ProteinIndex:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return _from_rows(table.to_pylist(), path)
