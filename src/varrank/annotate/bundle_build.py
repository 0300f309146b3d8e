"""`varrank resources build`: official downloads -> one versioned annotation bundle.

The bundle is a folder: ``annotation.duckdb`` (one table per source, keyed by bare contig,
pos, ref, alt and sorted by position so DuckDB's zone maps prune a join to the rows it can
match), ``manifest.json`` (files, checksums, releases, build, row counts, what was skipped)
and optionally ``hpo/`` (the ontology and annotation files, versioned with the rest).

It is built in a hidden temporary folder beside the target and renamed into place only when
every source has loaded, so a failure (bad line, wrong build, disk full, Ctrl-C) leaves the
previous bundle, or none, and never a half-written one that a later run would trust.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from varrank import __version__
from varrank.annotate import gene_resources, mito_loci, mito_tables, predictor_tables
from varrank.annotate.inhouse_tsv import decode, tsv_as_vcf_lines
from varrank.annotate.lookup_index import write_index
from varrank.annotate.vcf_fast import clean_records_fast
from varrank.annotate.normalise import bcftools_version, normalise_vcf, query_tsv
from varrank.annotate.source_meta import header_build, release_of
from varrank.core.checksums import file_entries, sha256_file
from varrank.annotate.sources import MITO_KINDS, SourceSpec, resolve
from varrank.annotate.vcf_text import (LINE_TAG, CleanStats, clean_records, iter_lines,
                                       parse_header)
from varrank.core.errors import ResourceError
from varrank.core.genome import bare_name_sql, contig_mapper
from varrank.core.json_schema import check_written
from varrank.core.reference import fasta_contig_lengths

log = logging.getLogger(__name__)

BUNDLE_DB = "annotation.duckdb"
MANIFEST = "manifest.json"
BUNDLE_FORMAT_VERSION = 3  # 2: lookup/ index per source; 3: allele codes, value records


@dataclass
class BuildRequest:
    out: Path
    genome: str
    sources: list[SourceSpec]
    fasta: Path | None = None
    constraint: Path | None = None
    mito_loci: Path | None = None
    hpo_dir: Path | None = None
    genes: Path | None = None            # HGNC table (core/genes.py layouts)
    genes_release: str | None = None
    force: bool = False
    threads: int = 2
    memory_limit: str = "4GB"


@dataclass
class _FileResult:
    path: Path
    rows_tsv: Path
    stats: CleanStats
    meta: dict = field(default_factory=dict)
    column_wise: bool = False  # cleaned by vcf_fast (duplicates not yet looked for)


def build_bundle(req: BuildRequest) -> Path:
    """Build the bundle at ``req.out`` atomically; return its path."""
    out = req.out.resolve()
    if out.exists() and not req.force:
        raise ResourceError("bundle folder already exists", hint="use --force to replace it",
                            path=out)
    if not req.sources and req.constraint is None and req.hpo_dir is None \
            and req.mito_loci is None and req.genes is None:
        raise ResourceError("nothing to build: give at least one source",
                            hint="e.g. --clinvar clinvar.vcf.gz --gnomad gnomad.sites.vcf.bgz")
    names = [s.name for s in req.sources]
    if len(set(names)) != len(names):
        raise ResourceError(f"two sources share a name: {names}",
                            hint="give each --popfreq a distinct NAME=")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        manifest = _build_into(tmp, req)
        # Sizes are checked at every open, sha256 by `varrank resources verify`.
        manifest["bundle_files"] = file_entries(tmp, skip={MANIFEST})
        check_written(manifest, "annotation_bundle_manifest")
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("bundle written: %s", out)
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)



def _build_into(tmp: Path, req: BuildRequest) -> dict:
    work = tmp / ".work"
    work.mkdir()
    fasta_contigs = fasta_contig_lengths(req.fasta, req.genome) if req.fasta else None
    con = duckdb.connect(str(tmp / BUNDLE_DB))
    con.execute(f"SET threads = {int(req.threads)}")
    con.execute(f"SET memory_limit = '{req.memory_limit}'")
    con.execute(f"SET temp_directory = '{work / 'duckdb_tmp'}'")
    con.execute("SET enable_progress_bar = false")
    manifest: dict = {
        "bundle_format": BUNDLE_FORMAT_VERSION,
        "store": "duckdb",
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "varrank_version": __version__,
        "genome_build": req.genome,
        "reference_fasta": str(req.fasta) if req.fasta else None,
        "normalisation": {"split_multiallelic": True, "left_aligned": req.fasta is not None,
                          "ref_checked": req.fasta is not None, "tool": bcftools_version()},
        "sources": {},
        "gene_resources": {},
    }
    for spec in req.sources:
        manifest["sources"][spec.name] = _load_source(con, spec, req, fasta_contigs, work)
        log.info("writing the lookup index of %r", spec.name)
        manifest["sources"][spec.name]["lookup"] = write_index(con, spec.name, tmp, spec.kind)
    if req.constraint is not None:
        manifest["gene_resources"]["gnomad_constraint"] = gene_resources.load_constraint(
            con, req.constraint)
    if req.mito_loci is not None:
        manifest["gene_resources"]["mito_loci"] = mito_loci.load(con, req.mito_loci)
    if req.genes is not None:
        manifest["gene_resources"]["gene_identity"] = gene_resources.load_gene_identity(
            con, req.genes, req.genes_release)
    if req.hpo_dir is not None:
        manifest["gene_resources"]["hpo"] = gene_resources.add_hpo(con, req.hpo_dir, tmp / "hpo")
    con.execute("CHECKPOINT")
    con.close()
    shutil.rmtree(work)
    return manifest


def _load_source(con: duckdb.DuckDBPyConnection, spec: SourceSpec, req: BuildRequest,
                 fasta_contigs: dict[str, int] | None, work: Path, slow: bool = False) -> dict:
    log.info("loading %s source %r from %d file(s)", spec.kind, spec.name, len(spec.paths))
    files = []
    columns: list[tuple[str, str]] | None = None
    info_keys: dict[str, str] = {}
    records = written = 0
    skipped: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    column_wise = False
    for i, path in enumerate(spec.paths):
        if not path.is_file():
            raise ResourceError(f"{spec.kind} source file not found", path=path)
        result, triples = _prepare_file(spec, path, req, fasta_contigs, work / f"{spec.name}.{i}",
                                        slow)
        column_wise |= result.column_wise
        cols = [(c, t) for c, t, _ in triples]
        info_keys.update({c: k for c, _, k in triples})
        if columns is None:
            columns = cols
            _create_table(con, spec.name, columns)
        elif [c for c, _ in cols] != [c for c, _ in columns]:
            raise ResourceError(f"this file's INFO fields differ from the first {spec.kind} file's",
                                hint="files of one source must be the same release and layout",
                                path=path)
        _append_rows(con, spec.name, columns, result.rows_tsv, path)
        files.append(result.meta)
        records += result.stats.records
        written += result.stats.written
        for reason, n in result.stats.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
        for reason, items in result.stats.examples.items():
            examples.setdefault(reason, []).extend(items[: 5 - len(examples.get(reason, []))])
    if column_wise and _has_duplicates(con, f'"_load_{spec.name}"'):
        # The line-by-line pass decides about duplicates (collapse exact copies, name the
        # lines of conflicting ones) before normalisation; the column-wise one left it to here.
        log.info("%s: duplicate alleles found; checking its files line by line", spec.name)
        con.execute(f'DROP TABLE "_load_{spec.name}"')
        return _load_source(con, spec, req, fasta_contigs, work, slow=True)
    _finish_table(con, spec, columns or [], spec.paths, info_keys, known_unique=column_wise)
    rows = con.execute(f'SELECT count(*) FROM "{spec.name}"').fetchone()[0]
    releases = sorted({f["release"] for f in files})
    return {
        "kind": spec.kind,
        "release": releases[0] if len(releases) == 1 else ";".join(releases),
        "files": files,
        "records_read": records,
        "records_loaded": written,
        "rows": rows,
        "skipped": skipped,
        "skipped_examples": examples,
        "columns": [c for c, _ in columns or []],
        **({spec.kind: spec.settings} if spec.settings else {}),
        **({"licence": _licence(spec.kind)} if _licence(spec.kind) else {}),
    }


def _licence(kind: str) -> str | None:
    """The data's terms for the manifest and the report's Methods (predictors, mtDNA)."""
    if kind in predictor_tables.FORMATS:
        return predictor_tables.FORMATS[kind].licence
    if kind in mito_tables.FORMATS:
        return mito_tables.FORMATS[kind].licence
    return mito_tables.MITIMPACT_LICENCE if kind in mito_tables.VCF_KINDS else None


def _prepare_file(spec: SourceSpec, path: Path, req: BuildRequest,
                  fasta_contigs: dict[str, int] | None, stem: Path, slow: bool = False
                  ) -> tuple[_FileResult, list[tuple[str, str]]]:
    """Validate, clean, normalise and extract one file into a TSV of bundle columns."""
    is_tsv, lines, table_label = _source_lines(spec.kind, path, req.genome)
    header = parse_header(path, lines)
    build, evidence = (None, table_label) if is_tsv else header_build(header)
    if build is not None and build != req.genome:
        raise ResourceError(
            f"{spec.kind} source is {build} ({evidence}) but the bundle is {req.genome}",
            hint=f"download the {req.genome} release of this source", path=path,
            line=header.meta_line_number(evidence[2:].split("=")[0]) if evidence.startswith("##") else None)
    extraction = resolve(spec.kind, header)
    if fasta_contigs is not None:
        mapper = contig_mapper(fasta_contigs)
        rename = mapper.get
    else:
        def rename(contig: str) -> str:
            return contig
    cleaned = stem.with_suffix(".clean.vcf")
    stats, column_wise = _clean_file(header, lines, rename, extraction, fasta_contigs, cleaned,
                                     fast=not is_tsv and not slow)
    normed = stem.with_suffix(".norm.bcf")
    log.info("%s: %d records checked, normalising with bcftools", path.name, stats.records)
    fmt_cols = ["%CHROM", "%POS", "%REF", "%ALT", f"%INFO/{LINE_TAG}"]
    for _, _, key in extraction.present():
        fmt_cols.append(key if key.startswith("%") else f"%INFO/{key}")
    rows_tsv = stem.with_suffix(".rows.tsv")
    try:
        normalise_vcf(cleaned, normed, req.fasta, origin=path)
        cleaned.unlink()
        query_tsv(normed, rows_tsv, "\t".join(fmt_cols) + "\n", origin=path)
        normed.unlink()
    except ResourceError:
        if not column_wise:
            raise
        # The line-by-line pass may have a more precise error for this file (a duplicate
        # record, say, that reached bcftools here); it raises the same error otherwise.
        for leftover in (cleaned, normed, rows_tsv):
            leftover.unlink(missing_ok=True)
        log.info("%s: bcftools failed; checking the file line by line", path.name)
        return _prepare_file(spec, path, req, fasta_contigs, stem, slow=True)
    meta = {
        "path": str(path.resolve()),
        "sha256": sha256_file(path),
        "size_bytes": path.stat().st_size,
        "release": release_of(None if is_tsv else header, path, spec.release),
        "header_build": build,
        "build_evidence": evidence,
        "records_read": stats.records,
        "records_loaded": stats.written,
    }
    return _FileResult(path, rows_tsv, stats, meta, column_wise), extraction.present()


def _clean_file(header, lines, rename, extraction, fasta_contigs: dict[str, int] | None,
                cleaned: Path, fast: bool) -> tuple[CleanStats, bool]:
    """Checked, cleaned VCF of one source file: column-wise when it can, else line by line.

    The column-wise pass (vcf_fast) gives up on anything it cannot prove clean; the file is
    then read again line by line (vcf_text), which names the bad line or handles the odd case.
    """
    body = cleaned.with_suffix(".body.vcf")
    if fast:
        stats = CleanStats()
        seen: dict[str, None] = {}
        filters: set[str] = set()
        with open(body, "wb") as out:
            ok = clean_records_fast(header, out, rename, stats, seen, filters)
        if ok:
            _write_clean_vcf(cleaned, header, extraction, list(seen), filters, fasta_contigs, body)
            body.unlink()
            return stats, True
        lines = iter_lines(header.path)
        header = parse_header(header.path, lines)
    stats = CleanStats()
    with open(body, "w") as out:
        clean_records(header, lines, out, rename, stats)
    seen_list, filters = _contigs_and_filters_in(body)
    _write_clean_vcf(cleaned, header, extraction, seen_list, filters, fasta_contigs, body)
    body.unlink()
    return stats, False


def _source_lines(kind: str, path: Path, genome: str
                  ) -> tuple[bool, Iterator[tuple[int, str]], str | None]:
    """(is a table, its lines as VCF lines, what the table is): in-house TSVs and the missense
    predictors' own tables are read as VCF; every other source file is a VCF."""
    if kind == "inhouse" and not _looks_like_vcf(path):
        return True, tsv_as_vcf_lines(path), "in-house TSV"
    if kind in mito_tables.VCF_KINDS:
        return True, mito_tables.mitimpact_lines(path), "MitImpact VCF"
    if kind in mito_tables.KINDS and mito_tables.looks_like(path):
        return True, mito_tables.table_as_vcf_lines(kind, path), f"{mito_tables.FORMATS[kind].label} table"
    if kind in predictor_tables.KINDS and predictor_tables.looks_like(kind, path):
        fmt = predictor_tables.FORMATS[kind]
        return True, predictor_tables.table_as_vcf_lines(kind, path, genome), f"{fmt.label} table"
    return False, iter_lines(path), None


def _looks_like_vcf(path: Path) -> bool:
    for _, line in iter_lines(path):
        return line.startswith("##fileformat=VCF")
    return False


def _contigs_and_filters_in(body: Path) -> tuple[list[str], set[str]]:
    """Contigs in order of appearance and FILTER names used: htslib needs both declared."""
    seen: dict[str, None] = {}
    filters: set[str] = set()
    with open(body) as handle:
        for line in handle:
            cols = line.split("\t", 7)
            seen.setdefault(cols[0], None)
            if cols[6] not in (".", "PASS"):
                filters.update(cols[6].split(";"))
    return list(seen), filters


def _write_clean_vcf(dst: Path, header, extraction, contigs: list[str], filters: set[str],
                     fasta_contigs: dict[str, int] | None, body: Path) -> None:
    with open(dst, "w") as out:
        out.write("##fileformat=VCFv4.2\n")
        for name in sorted(filters):
            out.write(f'##FILTER=<ID={name},Description="from source">\n')
        for contig in contigs:
            length = (fasta_contigs or {}).get(contig) or header.contigs.get(contig)
            out.write(f"##contig=<ID={contig}{f',length={length}' if length else ''}>\n")
        # Every INFO key is declared as text (Flags stay Flags) with the provider's Number, so
        # bcftools splits per-allele values (A, R) and copies per-site ones as meant, and never
        # type-parses a value: the values the bundle keeps are checked in DuckDB, by line.
        for key, definition in header.info.items():
            if key == LINE_TAG:
                continue
            kind = "Flag" if definition.type == "Flag" else "String"
            number = "0" if kind == "Flag" else definition.number
            out.write(f'##INFO=<ID={key},Number={number},Type={kind},Description="from source">\n')
        out.write(f'##INFO=<ID={LINE_TAG},Number=1,Type=Integer,Description="line in source file">\n')
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    with open(body, "rb") as src, open(dst, "ab") as out:
        _append_file(src, out)


def _append_file(src, out) -> None:
    """Append one file to another, in the kernel where it can (a 17 GB body in seconds)."""
    size = os.fstat(src.fileno()).st_size
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src.fileno(), out.fileno(), size - done)
            if n == 0:
                break
            done += n
    except OSError:
        pass
    if done < size:
        src.seek(done)
        out.seek(0, os.SEEK_END)
        shutil.copyfileobj(src, out, 1 << 20)


def _create_table(con: duckdb.DuckDBPyConnection, name: str, columns: list[tuple[str, str]]) -> None:
    """Load table with every value as text; typed when the final table is made (_finish_table)."""
    cols = ", ".join(f'"{c}" VARCHAR' for c, _ in columns)
    con.execute(f'CREATE TEMP TABLE "_load_{name}" (chrom VARCHAR, pos BIGINT, ref VARCHAR, '
                f'alt VARCHAR, source_line BIGINT, source_file INTEGER{", " + cols if cols else ""})')


def _append_rows(con: duckdb.DuckDBPyConnection, name: str, columns: list[tuple[str, str]],
                 tsv: Path, origin: Path) -> None:
    file_no = con.execute(f'SELECT count(DISTINCT source_file) FROM "_load_{name}"').fetchall()[0][0]
    spec = {"chrom": "VARCHAR", "pos": "BIGINT", "ref": "VARCHAR", "alt": "VARCHAR",
            "source_line": "BIGINT"}
    spec.update({c: "VARCHAR" for c, _ in columns})
    select = ", ".join(f'"{c}"' for c in spec)
    arrow_types = {"VARCHAR": pa.string(), "BIGINT": pa.int64()}
    # pyarrow's multi-threaded reader, a batch at a time into DuckDB: several times faster
    # than DuckDB's own read_csv here, with the same reading ('.' is null, '' stays '').
    try:
        reader = pacsv.open_csv(
            str(tsv),
            read_options=pacsv.ReadOptions(column_names=list(spec), block_size=64 << 20),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: arrow_types[t] for c, t in spec.items()}, null_values=["."],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
        for batch in reader:
            con.register("_rows_batch", pa.Table.from_batches([batch]))
            con.execute(f'INSERT INTO "_load_{name}" ({select}, source_file) '
                        f"SELECT {select}, {file_no} FROM _rows_batch")
            con.unregister("_rows_batch")
    except (pa.ArrowInvalid, duckdb.Error) as err:
        raise ResourceError(f"cannot load the extracted values: {str(err).splitlines()[0]}",
                            hint="a value does not fit its column type", path=origin) from None
    tsv.unlink()


def _finish_table(con: duckdb.DuckDBPyConnection, spec: SourceSpec,
                  columns: list[tuple[str, str]], paths: list[Path],
                  info_keys: dict[str, str], known_unique: bool = False) -> None:
    """Duplicate check after normalisation, then the sorted final table with bare contigs."""
    load = f'"_load_{spec.name}"'
    if (spec.kind in predictor_tables.KINDS or spec.kind in MITO_KINDS) and columns:
        _keep_highest_score(con, load, columns[0][0], spec.name)
    dup = None if known_unique or not _has_duplicates(con, load) else con.execute(
        f"SELECT chrom, pos, ref, alt, list(source_file ORDER BY source_line), "
        f"list(source_line ORDER BY source_line) FROM {load} GROUP BY ALL HAVING count(*) > 1 "
        "LIMIT 1").fetchone()
    if dup is not None:
        chrom, pos, ref, alt, file_nos, lines = dup
        raise ResourceError(
            f"duplicate {spec.kind} records for {chrom}:{pos} {ref}>{alt} after normalisation "
            f"(lines {', '.join(map(str, lines))})",
            hint="two records describe the same allele once left-aligned/split; keep one",
            path=paths[file_nos[0]], line=lines[0])
    _check_types(con, load, columns, paths, info_keys)
    value_cols = "".join(f', "{c}"' if t == "VARCHAR" else f', CAST("{c}" AS {t}) AS "{c}"'
                         for c, t in columns)
    encoded = (["classification"] if spec.kind == "inhouse" and any(
        c == "classification" for c, _ in columns) else []) + (
        [c for c, t in columns if t == "VARCHAR"] if spec.kind in mito_tables.KINDS else [])
    con.execute(
        f'CREATE TABLE "{spec.name}" AS SELECT {bare_name_sql("chrom")} AS chrom, pos, '
        f"ref, alt{value_cols}, source_line FROM {load} ORDER BY 1, pos, ref, alt")
    con.execute(f"DROP TABLE {load}")
    for column in encoded:  # percent-encoded text (inhouse_tsv.encode) back to its own
        rows = con.execute(f'SELECT DISTINCT "{column}" FROM "{spec.name}" '
                           f"WHERE \"{column}\" LIKE '%\\%%' ESCAPE '\\'").fetchall()
        for (value,) in rows:
            con.execute(f'UPDATE "{spec.name}" SET "{column}" = ? WHERE "{column}" = ?',
                        [decode(value), value])
    if spec.kind == "clinvar":
        from varrank.annotate.clinvar import add_review_stars

        add_review_stars(con, spec.name)


def _keep_highest_score(con: duckdb.DuckDBPyConnection, load: str, score: str, name: str) -> None:
    """A predictor's alleles listed twice where the table's own order cannot show it (two
    hg19 rows lifted onto one GRCh38 position, two indels left-aligned onto one): the row with
    the highest score stays, as predictor_tables keeps it for adjacent repeats."""
    before = con.execute(f"SELECT count(*) FROM {load}").fetchone()[0]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {load} AS SELECT * FROM {load} QUALIFY row_number() OVER "
        f'(PARTITION BY chrom, pos, ref, alt ORDER BY TRY_CAST("{score}" AS DOUBLE) DESC '
        "NULLS LAST, source_file, source_line) = 1")
    removed = before - con.execute(f"SELECT count(*) FROM {load}").fetchone()[0]
    if removed:
        log.info("%s: %d repeated allele(s) after normalisation; the highest %s kept",
                 name, removed, score)


def _has_duplicates(con: duckdb.DuckDBPyConnection, load: str) -> bool:
    """Any allele twice? (one cheap grouping; the query naming the lines runs only if so)"""
    return con.execute(f"SELECT 1 FROM {load} GROUP BY chrom, pos, ref, alt HAVING count(*) > 1 "
                       "LIMIT 1").fetchone() is not None


def _check_types(con: duckdb.DuckDBPyConnection, load: str, columns: list[tuple[str, str]],
                 paths: list[Path], info_keys: dict[str, str]) -> None:
    """First value per numeric column that is not a number -> error naming its source line."""
    numeric = [(c, t) for c, t in columns if t != "VARCHAR"]
    if not numeric:
        return
    # One pass over all numeric columns; the per-column query naming the line only on failure.
    flags = con.execute("SELECT " + ", ".join(
        f'coalesce(bool_or("{c}" IS NOT NULL AND TRY_CAST("{c}" AS {t}) IS NULL), false)'
        for c, t in numeric) + f" FROM {load}").fetchone()
    for (column, sql_type), bad_somewhere in zip(numeric, flags):
        if not bad_somewhere:
            continue
        bad = con.execute(
            f'SELECT source_file, source_line, "{column}" FROM {load} WHERE "{column}" IS NOT NULL '
            f'AND TRY_CAST("{column}" AS {sql_type}) IS NULL ORDER BY source_file, source_line '
            "LIMIT 1").fetchone()
        if bad is not None:
            file_no, line, value = bad
            vcf_type = "Integer" if sql_type == "BIGINT" else "Float"
            raise ResourceError(
                f"INFO/{info_keys.get(column, column)}={value[:60]!r} is not a valid {vcf_type}",
                hint="fix or remove the record; the bundle is not built from a malformed file",
                path=paths[file_no], line=line)
