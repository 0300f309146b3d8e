"""mtDNA loci (MITOMAP's genome loci table) in the bundle, and the locus of each chrM row.

``mitomap_genome_loci.txt`` (``Map_Locus Starting Ending Shorthand Description``, rCRS
1-based inclusive; a locus that spans the origin, like ``MT-CR`` 16024-576, has its end
below its start) names every gene, tRNA, rRNA and control-region element of the mtDNA with
the HGNC symbols (``MT-TL1``, ``MT-ND1``). ANNOTATE writes the loci that cover a chrM/MT row to
``mito_locus`` and, where the transcript annotator gave the row no gene (a snpEff database
built without chrM, or no annotator at all), the HGNC gene among them to ``gene_symbol``:
the phenotype match and the gene rank need it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from varrank.core.checksums import sha256_file
from varrank.core.errors import ResourceError
from varrank.core.genome import is_mitochondrial

TABLE = "mito_loci"
COLUMNS = ("map_locus", "starting", "ending", "description")
# the 37 mtDNA genes' HGNC symbols: 22 tRNAs, 2 rRNAs, 13 protein-coding genes
HGNC_GENE = re.compile(r"MT-(T[A-Z]\d?|RNR[12]|ND[1-6]L?|CO[1-3]|ATP[68]|CYB)")
MTDNA_LENGTH = 16569  # rCRS, NC_012920.1


def load(con: duckdb.DuckDBPyConnection, path: Path) -> dict:
    """Load the loci table into ``mito_loci``; return its manifest entry."""
    if not path.is_file():
        raise ResourceError("mtDNA loci table not found", path=path)
    # a 77-line table as distributed on GitHub, without a final newline: read whole
    lines = enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
    first = next(lines, None)
    names = [c.strip().lower() for c in first[1].split("\t")] if first else []
    if any(c not in names for c in COLUMNS):
        raise ResourceError("not MITOMAP's genome loci table: the header lacks "
                            + ", ".join(c for c in COLUMNS if c not in names),
                            hint="give mitomap_genome_loci.txt as distributed", path=path, line=1)
    rows = []
    for n, line in lines:
        if not line.strip():
            continue
        cells = dict(zip(names, (c.strip() for c in line.split("\t"))))
        start, end = cells.get("starting", ""), cells.get("ending", "")
        if not (start.isdigit() and end.isdigit()) or not 1 <= int(start) <= MTDNA_LENGTH \
                or not 1 <= int(end) <= MTDNA_LENGTH:
            raise ResourceError(f"locus {cells.get('map_locus', '')[:30]!r}: start/end "
                                f"{start[:12]!r}-{end[:12]!r} not within 1-{MTDNA_LENGTH}",
                                path=path, line=n, hint="give the table as distributed")
        rows.append((cells["map_locus"], int(start), int(end), cells.get("description", "")))
    con.execute(f"CREATE TABLE {TABLE} (locus VARCHAR, start_pos INTEGER, end_pos INTEGER, "
                "description VARCHAR)")
    con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", rows)
    return {"path": str(path.resolve()), "sha256": sha256_file(path), "rows": len(rows),
            "release": path.stem, "licence": "MITOMAP: free with citation (Lott et al. 2013)"}


def _covers(start: int, end: int, pos: int) -> bool:
    return start <= pos <= end if start <= end else pos >= start or pos <= end


def annotate(con: duckdb.DuckDBPyConnection, chroms: list, positions: list,
             genes: pa.Array) -> dict[str, pa.Array]:
    """``mito_locus`` per row and ``gene_symbol`` filled on chrM rows that have none."""
    loci = con.execute(f"SELECT locus, start_pos, end_pos FROM {TABLE} "
                       "ORDER BY start_pos, locus").fetchall()
    symbols = genes.to_pylist()
    found: list[str | None] = [None] * len(chroms)
    for i, (chrom, pos) in enumerate(zip(chroms, positions)):
        if chrom is None or pos is None or not is_mitochondrial(chrom):
            continue
        here = [name for name, start, end in loci if _covers(start, end, pos)]
        found[i] = ";".join(here) or None
        if not symbols[i]:
            symbols[i] = next((name for name in here if HGNC_GENE.fullmatch(name)), None)
    return {"mito_locus": pa.array(found, pa.string()),
            "gene_symbol": pa.array(symbols, pa.string())}
