"""The ANNOTATE stage as one pure function: variant table + bundle (+ annotator) -> outputs.

Order of work: database lookup (lookup.py), transcript effects from the chosen annotator
(snpEff database, VEP cache, or CSQ/ANN already in the input), the preferred transcript per
row with all effects written to the side table, then the gene's identity (HGNC and NCBI Gene
IDs, from the bundle's HGNC table) and gene-level constraint joined on that identity.
No row is ever dropped; rows an annotator could not handle keep nulls and are counted in
the ledger's ``flagged`` with the reason.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from varrank.annotate import mito_loci
from varrank.annotate.bundle import Bundle, open_bundle
from varrank.annotate.consequence.effect import TRANSCRIPT_SCHEMA, TranscriptEffect
from varrank.annotate.consequence.gene_model import splice_distance
from varrank.annotate.consequence.parse import csq_format_from_header, parse_ann, parse_csq
from varrank.annotate.consequence.select import preferred
from varrank.annotate.lookup import lookup
from varrank.core.alleles import sequence_mask
from varrank.annotate.gene_resources import read_gene_identity
from varrank.core.errors import InputError
from varrank.core.genes import GeneTable, gene_key, identity_columns
from varrank.core.ledger import Ledger
from varrank.core.progress import Progress
from varrank.core.schema import KEY, allele_label, arrow_schema, variant_key
from varrank.core.stage_io import attach_columns, read_stage_table, write_stage_outputs
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import Stage

log = logging.getLogger(__name__)

EFFECT_COLUMNS = ("gene_symbol", "gene_id", "transcript_id", "biotype", "is_mane_select",
                  "is_canonical", "consequence", "impact", "hgvs_c", "hgvs_p", "exon", "intron",
                  "protein_position", "amino_acids", "splice_distance", "annotator")


@dataclass
class AnnotateOutputs:
    table: Path
    ledger: Path
    transcripts: Path


@dataclass
class AnnotateOptions:
    snpeff_db: Path | None = None
    vep_cache: Path | None = None
    fasta: Path | None = None
    csq_format: str | None = None
    threads: int = 2
    memory_limit: str = "4GB"


def run_annotate(table_path: Path, bundle_path: Path, outdir: Path,
                 options: AnnotateOptions | None = None) -> AnnotateOutputs:
    """Annotate one patient's variant table; write table, side table and ledger."""
    options = options or AnnotateOptions()
    table, meta = read_stage_table(table_path, Stage.ANNOTATE)
    bundle = open_bundle(bundle_path, meta.genome_build)
    ledger = Ledger(stage=Stage.ANNOTATE, patient=meta.patient, records_in=table.num_rows)
    log.info("annotating %d variants of %s against %s", table.num_rows, meta.patient, bundle_path)
    columns, effects, chosen, annotator = _annotate(table, meta, bundle, options, ledger)
    out_table = attach_columns(table, Stage.ANNOTATE, columns)
    ledger.records_out = out_table.num_rows
    out_meta = _annotated_meta(meta, bundle, bundle_path, annotator, ledger)
    written = write_stage_outputs(
        Stage.ANNOTATE, outdir, meta.patient, table=out_table, meta=out_meta, ledger=ledger,
        side_tables={"transcripts": (_transcripts_table(table, effects, chosen),
                                     {"patient": meta.patient, "annotator": annotator,
                                      "genome_build": out_meta.genome_build})})
    return AnnotateOutputs(**written)


def _annotate(table: pa.Table, meta: TableMetadata, bundle: Bundle, options: AnnotateOptions,
              ledger: Ledger) -> tuple[dict, list, list, str | None]:
    """Database lookup, transcript effects and gene constraint: the ANNOTATE columns."""
    columns, matches = lookup(bundle, table, options.threads, options.memory_limit)
    for source, hits in matches.items():
        ledger.notes.append(f"{source} ({bundle.release(source)}): {hits} of {table.num_rows} "
                            "variants matched by exact allele")
    skipped: set[int] = set()
    build = meta.genome_build
    effects, annotator, models = _effects(table, meta, bundle, options, ledger, build, skipped)
    chosen = _consequence_columns(table, effects, models, columns)
    if annotator is not None:
        for i, c in enumerate(chosen):
            if c is None and i not in skipped:  # skipped rows already carry their reason
                ledger.flag("no_transcript_effect", _key(table, i))
        log.info("transcript effects for %d of %d variants", sum(1 for c in chosen if c),
                 table.num_rows)
    columns.update(_mito_loci(bundle, table, columns["gene_symbol"], options))
    genes = _gene_table(bundle, options)
    symbols, gene_ids = columns["gene_symbol"].to_pylist(), columns["gene_id"].to_pylist()
    if genes is not None:
        ids, counts = identity_columns(genes, symbols, gene_ids)
        columns.update(ids)
        ledger.notes.append(counts.note(genes))
    columns.update(_constraint(bundle, genes, symbols, gene_ids, options))
    return columns, effects, chosen, annotator


def _gene_table(bundle: Bundle, options: AnnotateOptions) -> GeneTable | None:
    """The bundle's HGNC table, or None for a bundle built without ``--genes``."""
    entry = bundle.manifest.get("gene_resources", {}).get("gene_identity")
    if not entry:
        return None
    con = bundle.connect(options.threads, options.memory_limit)
    try:
        return read_gene_identity(con, entry)
    finally:
        con.close()


def _annotated_meta(meta: TableMetadata, bundle: Bundle, bundle_path: Path,
                    annotator: str | None, ledger: Ledger) -> TableMetadata:
    if meta.genome_build is None:
        ledger.notes.append(f"input has no genome_build metadata; bundle build "
                            f"{bundle.genome_build} assumed")
    sources = bundle.manifest["sources"]
    out = meta.with_stage(Stage.ANNOTATE, bundle=str(Path(bundle_path).resolve()),
                          bundle_created=bundle.manifest.get("created"),
                          sources={n: s["release"] for n, s in sources.items()},
                          source_kinds={n: s["kind"] for n, s in sources.items()},
                          annotator=annotator, **_spliceai_scores(sources))
    return dataclasses.replace(out, genome_build=meta.genome_build or bundle.genome_build)


def _spliceai_scores(sources: dict[str, dict]) -> dict[str, dict]:
    """The footer entry SCORE reads to decide whether the precomputed SpliceAI column may stand
    for its own scores: source name, release, -M and -D."""
    for name, source in sources.items():
        if source["kind"] == "spliceai":
            return {"spliceai_scores": {"source": name, "release": source["release"],
                                        **source["spliceai"]}}
    return {}


def _consequence_columns(table: pa.Table, effects: list[Sequence[TranscriptEffect]],
                         models: pa.Table | None, columns: dict[str, pa.Array]
                         ) -> list[TranscriptEffect | None]:
    """Pick the preferred effect per row and add its fields to ``columns``; return the picks."""
    schema = arrow_schema("annotate")
    if not any(effects):  # no annotator: typed null columns without a per-row Python pass
        for name in EFFECT_COLUMNS:
            columns[name] = pa.nulls(table.num_rows, schema.field(name).type)
        columns["n_transcripts"] = pa.array(np.zeros(table.num_rows, dtype=np.int32))
        return [None] * table.num_rows
    facts = _model_facts(models)
    chosen = [preferred(e, facts) for e in effects]
    if models is not None:
        _add_exonic_splice_distance(table, effects, models)
    for name in EFFECT_COLUMNS:
        columns[name] = pa.array([getattr(c, name) if c else None for c in chosen],
                                 schema.field(name).type)
    columns["n_transcripts"] = pa.array([len(e) for e in effects], pa.int32())
    return chosen


def _key(table: pa.Table, i: int) -> str:
    return allele_label(*(table.column(k)[i].as_py() for k in KEY))


def _records(table: pa.Table) -> list[tuple[str, int, str, str]]:
    return list(zip(*(table.column(k).to_pylist() for k in KEY)))


def _effects(table: pa.Table, meta: TableMetadata, bundle: Bundle, options: AnnotateOptions,
             ledger: Ledger, build: str | None, skipped: set[int]
             ) -> tuple[list[Sequence[TranscriptEffect]], str | None, pa.Table | None]:
    """Transcript effects per row from the first available annotator.

    Rows the annotator cannot take are flagged with the reason and added to ``skipped``.
    """
    n = table.num_rows
    usable = sequence_mask(table.column("alt"))  # not symbolic, '*', breakend or missing
    for i in np.flatnonzero(~usable).tolist():
        ledger.flag("consequence_skipped:symbolic_or_missing_alt", _key(table, i))
        skipped.add(i)
    # One shared empty tuple per row until an annotator fills it: millions of separate empty
    # lists would cost seconds of allocation and garbage-collector passes on a genome.
    effects: list[Sequence[TranscriptEffect]] = [()] * n
    upstream = next(((column, kind) for column, kind in (("csq_raw", "CSQ"), ("ann_raw", "ANN"))
                     if column in table.column_names and table.column(column).null_count < n),
                    None)
    if options.snpeff_db is None and options.vep_cache is None and upstream is None:
        ledger.notes.append("no consequence annotator given (--snpeff-db/--vep-cache) and no "
                            "upstream CSQ/ANN: consequence columns are null")
        return effects, None, None
    records = _records(table)
    idx = np.flatnonzero(usable).tolist()
    if options.snpeff_db is not None:
        annotator, models = _snpeff_effects(options.snpeff_db, build or bundle.genome_build,
                                            records, idx, effects, ledger, skipped, table)
        return effects, annotator, models
    if options.vep_cache is not None:
        return effects, _vep_effects(options, build or bundle.genome_build, records, idx,
                                     effects), None
    _upstream_effects(table, meta, options, upstream, records, effects)
    ledger.notes.append(f"consequences parsed from upstream INFO/{upstream[1]} (no annotator run)")
    return effects, f"upstream {upstream[1]}", None


def _snpeff_effects(db: Path, build: str, records: list, idx: list[int],
                    effects: list, ledger: Ledger, skipped: set[int], table: pa.Table
                    ) -> tuple[str, pa.Table]:
    """Run snpEff on the usable rows; MANE/canonical flags from the database's models."""
    from varrank.annotate.consequence.snpeff import open_snpeff_db, read_models_table, run_snpeff

    manifest = open_snpeff_db(db, build)
    models = read_models_table(db)
    flags = _flags_by_transcript(models)
    with tempfile.TemporaryDirectory(prefix="varrank-snpeff-") as tmp:
        ann = run_snpeff(db, manifest, [records[i] for i in idx], Path(tmp))
    progress = Progress("transcript effects", total=len(idx), unit="variants")
    for j, i in enumerate(idx):
        progress.update()
        if j not in ann:
            continue
        effects[i] = parse_ann(ann[j], records[i][3], annotator=manifest["annotator"])
        for e in effects[i]:
            e.is_mane_select, e.is_canonical = flags.get(e.transcript_id, (None, None))
        if any(e.messages and "ERROR_CHROMOSOME_NOT_FOUND" in e.messages for e in effects[i]):
            ledger.flag("consequence_skipped:contig_not_in_snpeff_db", _key(table, i))
            skipped.add(i)
            effects[i] = []
    progress.finish()
    return manifest["annotator"], models


def _vep_effects(options: AnnotateOptions, build: str, records: list, idx: list[int],
                 effects: list) -> str:
    from varrank.annotate.consequence.vep import run_vep

    with tempfile.TemporaryDirectory(prefix="varrank-vep-") as tmp:
        csq, fields, version = run_vep(options.vep_cache, options.fasta, build,
                                       [records[i] for i in idx], Path(tmp))
    for j, i in enumerate(idx):
        if j in csq:
            effects[i] = parse_csq(csq[j], fields, records[i][2], records[i][3], version)
    return version


def _upstream_effects(table: pa.Table, meta: TableMetadata, options: AnnotateOptions,
                      upstream: tuple[str, str], records: list, effects: list) -> None:
    """CSQ (VEP) or ANN (snpEff) already in the input VCF, parsed as the annotators' output."""
    column, kind = upstream
    raw = table.column(column).to_pylist()
    fields = _csq_fields(meta, options) if kind == "CSQ" else None
    progress = Progress(f"upstream {kind} parsed", total=len(raw), unit="variants")
    for i, value in enumerate(raw):
        progress.update()
        if not value:
            continue
        if kind == "CSQ":
            effects[i] = parse_csq(value, fields, records[i][2], records[i][3],
                                   annotator="VEP (upstream CSQ)")
        else:
            effects[i] = parse_ann(value, records[i][3], annotator="snpEff (upstream ANN)")
    progress.finish()


def _csq_fields(meta: TableMetadata, options: AnnotateOptions) -> list[str]:
    """CSQ field names: --csq-format, else the input VCF's header as INGEST recorded it."""
    text = options.csq_format or meta.csq_format
    if not text:
        raise InputError("the table has INFO/CSQ values but no CSQ field list",
                         hint="pass --csq-format 'Allele|Consequence|...' (the Format: list from "
                              "the VCF's ##INFO=<ID=CSQ> header)")
    return csq_format_from_header(text if "Format:" in text else f"Format: {text}")


def _flags_by_transcript(models: pa.Table) -> dict[str, tuple[bool | None, bool | None]]:
    """Transcript -> (MANE Select, canonical); None where the annotation has no such tags."""
    any_mane = any(models.column("is_mane_select").to_pylist())
    any_canon = any(models.column("is_canonical").to_pylist())
    return {t: (m if any_mane else None, c if any_canon else None)
            for t, m, c in zip(models.column("transcript_id").to_pylist(),
                               models.column("is_mane_select").to_pylist(),
                               models.column("is_canonical").to_pylist())}


def _model_facts(models: pa.Table | None) -> dict[str, dict]:
    """Transcript -> tags and CDS length, the tie-breakers of the preferred-transcript choice."""
    if models is None:
        return {}
    return {t: {"tags": g, "cds_length": c} for t, g, c in zip(
        models.column("transcript_id").to_pylist(), models.column("tags").to_pylist(),
        models.column("cds_length").to_pylist())}


def _add_exonic_splice_distance(table: pa.Table, effects: list[Sequence[TranscriptEffect]],
                                models: pa.Table) -> None:
    by_tx = {row["transcript_id"]: row for row in models.to_pylist()}
    positions = table.column("pos").to_pylist()
    for pos, row_effects in zip(positions, effects):
        for e in row_effects:
            if e.splice_distance is None and e.exon and e.transcript_id in by_tx:
                m = by_tx[e.transcript_id]
                e.splice_distance = splice_distance(pos, m["strand"], m["exon_starts"], m["exon_ends"])


def _mito_loci(bundle: Bundle, table: pa.Table, genes: pa.Array,
               options: AnnotateOptions) -> dict[str, pa.Array]:
    """The mtDNA locus of chrM rows (and their gene where the annotator gave none)."""
    if not bundle.manifest.get("gene_resources", {}).get("mito_loci"):
        return {}
    con = bundle.connect(options.threads, options.memory_limit)
    try:
        return mito_loci.annotate(con, table.column("chrom").to_pylist(),
                                  table.column("pos").to_pylist(), genes)
    finally:
        con.close()


def _constraint(bundle: Bundle, genes: GeneTable | None, symbols: list, gene_ids: list,
                options: AnnotateOptions) -> dict[str, pa.Array]:
    """gnomAD constraint per row, joined on the gene key (HGNC ID through the gene table, so
    a constraint row named GBA meets a row annotated GBA1; the bare symbol without one)."""
    entry = bundle.manifest.get("gene_resources", {}).get("gnomad_constraint")
    if not entry:
        return {}
    con = bundle.connect(options.threads, options.memory_limit)
    rows = {gene_key(genes, g, gid): (p, l) for g, gid, p, l in con.execute(
        "SELECT gene_symbol, gene_id, pli, loeuf FROM gene_constraint").fetchall()}
    con.close()
    keys: dict[tuple, str | None] = {}
    found = []
    for s, gid in zip(symbols, gene_ids):
        if (s, gid) not in keys:
            keys[(s, gid)] = gene_key(genes, s, gid) if s else None
        found.append(rows.get(keys[(s, gid)]) if keys[(s, gid)] else None)
    return {
        "gene_pli": pa.array([f[0] if f else None for f in found], pa.float64()),
        "gene_loeuf": pa.array([f[1] if f else None for f in found], pa.float64()),
        "gene_constraint_release": pa.array([entry["release"] if f else None for f in found],
                                            pa.string()),
    }


def _transcripts_table(table: pa.Table, effects: list[Sequence[TranscriptEffect]],
                       chosen: list[TranscriptEffect | None]) -> pa.Table:
    if not any(effects):
        return TRANSCRIPT_SCHEMA.empty_table()
    rows = []
    # Python values only for the rows that have effects (not every row of a genome again).
    annotated = [i for i, row_effects in enumerate(effects) if row_effects]
    part = table.take(pa.array(annotated, pa.int64()))
    keys = part.column("variant_key").to_pylist() if "variant_key" in part.column_names else None
    for j, (i, (chrom, pos, ref, alt)) in enumerate(zip(annotated, _records(part))):
        vkey = keys[j] if keys else variant_key(chrom, pos, ref, alt)
        best = chosen[i]
        for e in effects[i]:
            rows.append({"variant_key": vkey, "chrom": chrom, "pos": pos, "ref": ref, "alt": alt,
                         **e.as_row(), "preferred": e is best})
    return pa.Table.from_pylist(rows, schema=TRANSCRIPT_SCHEMA)


def summary(paths: AnnotateOutputs) -> str:
    ledger = json.loads(paths.ledger.read_text())
    flagged = Counter(ledger["flagged"])
    return (f"{ledger['records_out']} variants annotated -> {paths.table}"
            + (f"; flagged: {dict(flagged)}" if flagged else ""))
