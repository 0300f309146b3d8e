"""The indexed lookup (sorted locus keys + memory-mapped columns) equals a plain four-key LEFT JOIN.

Reference: the SQL join varrank used before the index (bundle format 1), run here against
the same bundle's DuckDB tables. Real data: ClinVar GRCh37 chr1 subset (indels), 1000 Genomes
BRCA1 GRCh37 (multi-allelic sites split by bcftools, indels, per-group AFs) loaded both as the
gnomAD source and as a popfreq source, an in-house TSV, and the GIAB trio (HG002) table;
patient keys mix bare and chr-prefixed contigs, lower-case alleles, other alleles at a
matched position, shifted positions, unknown contigs, nulls, duplicates and a shuffled order.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.core.genome import bare_name_sql
from varrank.annotate.lookup import GRPMAX_EXCLUDED, _json_numbers, _to_arrow, lookup
from varrank.annotate.lookup_columns import CLINVAR_COLUMNS, GNOMAD_COLUMNS, INHOUSE_COLUMNS
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError
from varrank.core.table_io import read_table

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP37 = "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"


def _json_without_nulls(pairs: list[tuple[str, str]]) -> str:
    """DuckDB SQL for a JSON object of the non-null (label, expression) pairs (format 1's)."""
    entries = ", ".join(f"{{'k': '{label}', 'v': {expr}::DOUBLE}}" for label, expr in pairs)
    return (f"nullif(to_json(map_from_entries(list_filter([{entries}], "
            "lambda x: x.v IS NOT NULL)))::VARCHAR, '{}')")


def _popfreq_json(con, names: list[str], arrays: list[pa.Array]) -> pa.Array:
    con.register("_popfreq", pa.table({f"s{i}": a for i, a in enumerate(arrays)}))
    expr = _json_without_nulls([(name, f"s{i}") for i, name in enumerate(names)])
    return _to_arrow(con.sql(f"SELECT {expr} AS j FROM _popfreq")).column("j").combine_chunks()


def reference_lookup(bundle_path: Path, keys: pa.Table, manifest: dict):
    """The bundle-format-1 lookup: one LEFT JOIN on (bare chrom, pos, upper ref, upper alt)."""
    con = duckdb.connect(str(bundle_path / "annotation.duckdb"), read_only=True)
    n = keys.num_rows
    pk = keys.select(["chrom", "pos", "ref", "alt"]).append_column(
        "row_idx", pa.array(np.arange(n, dtype=np.int64)))
    con.register("patient_keys", pk)
    con.execute(f"CREATE TEMP TABLE pk AS SELECT row_idx, {bare_name_sql('chrom')} "
                "AS chrom, pos, upper(ref) AS ref, upper(alt) AS alt FROM patient_keys")
    sources = manifest["sources"]

    def of(kind):
        return [name for name, s in sources.items() if s["kind"] == kind]

    def cols(table):
        return [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]

    out, matches, freq = {}, {}, []

    def join(table, wanted, extra=""):
        sel = "".join(f', s."{c}"' for c in wanted)
        got = _to_arrow(con.sql(
            f"SELECT s.pos IS NOT NULL AS _hit{sel}{extra} FROM pk LEFT JOIN \"{table}\" s ON "
            "s.chrom = pk.chrom AND s.pos = pk.pos AND s.ref = pk.ref AND s.alt = pk.alt "
            "ORDER BY pk.row_idx"))
        matches[table] = sum(got.column("_hit").to_pylist())
        return got

    def release(name):
        return f", CASE WHEN s.pos IS NOT NULL THEN '{sources[name]['release']}' END AS _release"

    def groups_sql(groups):
        if not groups:
            return ", NULL::VARCHAR AS _groups"
        return ", " + _json_without_nulls([(g[3:], f's."{g}"') for g in groups]) + " AS _groups"

    for name in of("clinvar"):
        have = cols(name)
        got = join(name, [c for c in CLINVAR_COLUMNS.values() if c in have], release(name))
        out.update({k: got.column(v).combine_chunks() for k, v in CLINVAR_COLUMNS.items() if v in have})
        out["clinvar_release"] = got.column("_release").combine_chunks()
    for name in of("gnomad"):
        have = cols(name)
        groups = [c for c in have if c.startswith("af_")]
        got = join(name, [c for c in GNOMAD_COLUMNS.values() if c in have] + groups,
                   release(name) + groups_sql(groups))
        out.update({k: got.column(v).combine_chunks() for k, v in GNOMAD_COLUMNS.items() if v in have})
        out["gnomad_release"] = got.column("_release").combine_chunks()
        out["gnomad_group_af"] = got.column("_groups").combine_chunks()
        freq += _reference_candidates(name, got, groups)
    afs = []
    for name in of("popfreq"):
        have = cols(name)
        groups = [c for c in have if c.startswith("af_")]
        got = join(name, ["af"] + groups)
        afs.append(got.column("af").combine_chunks())
        freq += _reference_candidates(name, got, groups)
    if of("popfreq"):
        out["popfreq_af"] = _popfreq_json(con, of("popfreq"), afs)
    for name in of("inhouse"):
        have = cols(name)
        got = join(name, [c for c in INHOUSE_COLUMNS.values() if c in have], release(name))
        out.update({k: got.column(v).combine_chunks() for k, v in INHOUSE_COLUMNS.items() if v in have})
        out["inhouse_release"] = got.column("_release").combine_chunks()
    if freq:
        out["max_pop_af"], out["max_pop_af_source"] = _reference_max_af(freq, n)
    return out, matches


def _reference_candidates(source: str, got: pa.Table, groups: list[str]) -> list:
    cols = (["af"] if "af" in got.column_names else []) + [
        g for g in groups if g[3:] not in GRPMAX_EXCLUDED]
    return [(source if c == "af" else f"{source}:{c[3:]}",
             np.asarray(got.column(c).to_numpy(zero_copy_only=False), dtype=np.float64))
            for c in cols]


def _reference_max_af(candidates: list, n: int) -> tuple[pa.Array, pa.Array]:
    """argmax over the -1-filled stack of all candidates (first wins ties), null if none."""
    stack = np.stack([np.nan_to_num(v, nan=-1.0) for _, v in candidates])
    best = np.argmax(stack, axis=0)
    value = stack[best, np.arange(n)]
    absent = np.all(np.isnan(np.stack([v for _, v in candidates])), axis=0)
    labels = pa.array([label for label, _ in candidates], pa.string())
    return (pa.array(value, pa.float64(), mask=absent),
            labels.take(pa.array(best, mask=absent)))


@pytest.fixture(scope="module")
def four_source_bundle(shared_data, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("four")
    lab = tmp / "lab.tsv"
    # In-house rows on real trio/ClinVar/1kG positions: lower-case and chr-prefixed spellings.
    lab.write_text("chrom\tpos\tref\talt\tclassification\tac\tan\n"
                   "1\t911595\tA\tG\tPathogenic; seen twice\t2\t100\n"
                   "chr17\t41208478\tg\tc\tVUS\t1\t100\n"
                   "17\t41218707\tC\tT\t.\t3\t90\n")
    return build_bundle(BuildRequest(
        out=tmp / "bundle", genome="GRCh37",
        sources=[SourceSpec("clinvar", "clinvar", [shared_data / CLINVAR37]),
                 SourceSpec("gnomad", "gnomad", [shared_data / TGP37], release="v9.9"),
                 SourceSpec("popfreq", "tgp", [shared_data / TGP37]),
                 SourceSpec("inhouse", "inhouse", [lab], release="2026-01")]))


def _source_keys(bundle: Path) -> list[tuple]:
    con = duckdb.connect(str(bundle / "annotation.duckdb"), read_only=True)
    rows = []
    for table in ("clinvar", "gnomad", "tgp", "inhouse"):
        rows += con.execute(f'SELECT chrom, pos, ref, alt FROM "{table}"').fetchall()
    return rows


def _patient_keys(bundle: Path, trio: Path) -> pa.Table:
    rng = random.Random(11)
    rows = []
    for chrom, pos, ref, alt in _source_keys(bundle):
        c = rng.choice([chrom, "chr" + chrom, "CHR" + chrom])
        r, a = (ref.lower(), alt) if rng.random() < 0.2 else (ref, alt.lower() if rng.random() < 0.2 else alt)
        rows.append((c, pos, r, a))
        other = next(b for b in "ACGT" if b != alt)
        rows.append((chrom, pos, ref, other))  # another allele at a matched locus
        rows.append((chrom, pos + 1, ref, alt))  # shifted
        if rng.random() < 0.1:
            rows.append((c, pos, ref, alt))  # duplicate patient row
            rows.append(("GL000192.1", pos, ref, alt))  # contig the bundle lacks
    rows += [(None, 911595, "A", "G"), ("1", None, "A", "G"), ("1", 911595, None, "G"),
             ("1", 911595, "A", None), ("chrM", 73, "A", "G"), ("MT", 73, "A", "G")]
    trio_table, _ = read_table(trio)
    rows += list(zip(*(trio_table.column(k).to_pylist() for k in ("chrom", "pos", "ref", "alt"))))
    rng.shuffle(rows)
    return pa.table({"chrom": pa.array([r[0] for r in rows], pa.string()),
                     "pos": pa.array([r[1] for r in rows], pa.int64()),
                     "ref": pa.array([r[2] for r in rows], pa.string()),
                     "alt": pa.array([r[3] for r in rows], pa.string())})


def test_indexed_lookup_equals_the_four_key_join(four_source_bundle, trio_hg002):
    keys = _patient_keys(four_source_bundle, trio_hg002)
    bundle = open_bundle(four_source_bundle, "GRCh37")
    got, got_matches = lookup(bundle, keys)
    want, want_matches = reference_lookup(four_source_bundle, keys, bundle.manifest)
    assert got_matches == want_matches
    assert all(v > 50 for k, v in want_matches.items() if k != "inhouse")
    assert want_matches["inhouse"] > 3  # lower-case and chr-prefixed in-house rows met too
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name].type == want[name].type, name
        assert got[name].equals(want[name]), name
    # the multi-allelic 1kG site 17:41208478 G>A,C: each split allele keeps its own AF
    rows = [i for i in range(keys.num_rows) if keys.column("pos")[i].as_py() == 41208478
            and keys.column("chrom")[i].as_py().upper().endswith("17")]
    afs = {(keys.column("alt")[i].as_py().upper(), got["gnomad_af"][i].as_py()) for i in rows}
    assert ("A", 0.000599042) in afs and ("C", 0.000798722) in afs
    groups = [json.loads(v) for v in got["gnomad_group_af"].to_pylist() if v]
    assert groups and all(groups)


def test_subsets_and_empty_tables_agree(four_source_bundle, trio_hg002):
    keys = _patient_keys(four_source_bundle, trio_hg002)
    bundle = open_bundle(four_source_bundle, "GRCh37")
    for sub in (keys.slice(0, 0), keys.slice(0, 1), keys.slice(100, 37),
                keys.filter(pa.array([c is not None and c.startswith("GL") for c in keys.column("chrom").to_pylist()]))):
        got, got_matches = lookup(bundle, sub)
        want, want_matches = reference_lookup(four_source_bundle, sub, bundle.manifest)
        assert got_matches == want_matches
        for name in want:
            assert got[name].equals(want[name]), name


@pytest.mark.parametrize("old_format", [1, 2])
def test_older_bundle_formats_are_refused_with_the_rebuild_command(four_source_bundle, tmp_path,
                                                                   old_format):
    import shutil

    old = tmp_path / "old_bundle"
    shutil.copytree(four_source_bundle, old)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["bundle_format"] = old_format
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResourceError) as err:
        open_bundle(old, "GRCh37")
    assert f"bundle format {old_format} is not 3" in str(err.value)
    assert "varrank resources build" in err.value.hint


def test_missing_index_file_is_a_clear_error(four_source_bundle, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(four_source_bundle, broken)
    (broken / "lookup" / "gnomad.locus.npy").unlink()
    bundle = open_bundle(broken, "GRCh37")
    with pytest.raises(ResourceError, match="lookup index for 'gnomad' is missing"):
        lookup(bundle, pa.table({"chrom": ["17"], "pos": [41208478], "ref": ["G"], "alt": ["A"]}))


def test_json_numbers_are_written_as_duckdb_writes_them():
    rng = np.random.default_rng(5)
    n = 200_000
    values = rng.random(n) * 10.0 ** rng.integers(-30, 25, n)
    values[::3] = rng.integers(0, 5000, n)[::3] / rng.integers(1, 10**6, n)[::3]  # AC/AN
    values[::11] = 0.0
    values[:8] = [np.nan, np.inf, -np.inf, -0.0, 1.0, 1e-5, 6.57e-06, 1e21]
    arr = pa.array(values, mask=np.arange(n) % 97 == 0)
    con = duckdb.connect()
    con.register("t", pa.table({"v": arr}))
    want = con.sql("SELECT to_json(v)::VARCHAR AS j FROM t").to_arrow_table().column("j").combine_chunks()
    assert _json_numbers(con, arr).equals(want)


def test_json_objects_with_any_null_pattern_match_duckdb(monkeypatch):
    from varrank.annotate.lookup import _json_object

    rng = np.random.default_rng(9)
    n = 5000
    labels = ["afr", "nfe", "eas"]
    arrays = [pa.array(rng.random(n) / 100, mask=rng.random(n) < p) for p in (0.3, 0.5, 0.9)]
    con = duckdb.connect()
    con.register("s", pa.table(dict(zip(labels, arrays))))
    want = con.sql("SELECT " + _json_without_nulls([(g, f's."{g}"') for g in labels]) + " AS j "
                   "FROM s").to_arrow_table().column("j").combine_chunks()
    assert want.null_count > 0
    assert _json_object(con, list(zip(labels, arrays))).equals(want)
    dense = [pa.array(rng.random(n)) for _ in labels]
    con.register("d", pa.table(dict(zip(labels, dense))))
    want = con.sql("SELECT " + _json_without_nulls([(g, f'd."{g}"') for g in labels]) + " AS j "
                   "FROM d").to_arrow_table().column("j").combine_chunks()
    assert _json_object(con, list(zip(labels, dense))).equals(want)
    empty = [pa.nulls(n, pa.float64()) for _ in labels]
    assert _json_object(con, list(zip(labels, empty))).null_count == n
    # Large tables are joined in two halves on a thread pool: same text.
    from concurrent.futures import ThreadPoolExecutor

    import varrank.annotate.lookup as lookup_module
    monkeypatch.setattr(lookup_module, "JSON_SPLIT_ROWS", 100)
    with ThreadPoolExecutor(2) as pool:
        assert _json_object(con, list(zip(labels, arrays)), pool).equals(
            _json_object(con, list(zip(labels, arrays))))


def test_large_string_and_dictionary_key_columns_match_the_same(four_source_bundle, trio_hg002):
    keys = _patient_keys(four_source_bundle, trio_hg002).slice(0, 3000)
    bundle = open_bundle(four_source_bundle, "GRCh37")
    want, want_matches = lookup(bundle, keys)
    other = pa.table({"chrom": keys.column("chrom").dictionary_encode(),
                      "pos": keys.column("pos").cast(pa.int32()),
                      "ref": keys.column("ref").cast(pa.large_string()),
                      "alt": keys.column("alt").cast(pa.large_string())})
    got, got_matches = lookup(bundle, other)
    assert got_matches == want_matches and want_matches["clinvar"] > 0
    for name in want:
        assert got[name].equals(want[name]), name


def test_allele_codes_are_equal_exactly_when_the_alleles_are():
    from varrank.annotate.lookup_index import (ALLELE_MAX_BASES, ALLELE_NULL, ALLELE_UNCODED,
                                               allele_codes)

    rng = random.Random(11)

    def allele() -> str | None:
        roll = rng.random()
        if roll < 0.03:
            return None
        size = rng.choice([0, 1, 1, 1, 2, 3, 5, 13, 14, 15, 27, 28, 40])
        return "".join(rng.choice("ACGT" if rng.random() < 0.9 else "ACGTNacg*")
                       for _ in range(size))

    pairs = [(allele(), allele()) for _ in range(20_000)]
    pairs += [("A", "C"), ("AC", ""), ("", "AC"), ("A", "AC"), ("AA", "C"), ("", ""),
              ("A" * 14, "C" * 14), ("A" * 14, "C" * 15), ("T" * 28, ""), ("C" * 27, "A")]
    pairs += pairs[:500]  # repeats must get the same code
    ref = pa.array([p[0] for p in pairs], pa.string())
    alt = pa.array([p[1] for p in pairs], pa.string())
    codes = allele_codes(ref, alt)
    seen: dict[int, tuple] = {}
    code_of: dict[tuple, int] = {}
    for (r, a), code in zip(pairs, codes.tolist()):
        assert code_of.setdefault((r, a), code) == code
        if r is None or a is None:
            assert code == ALLELE_NULL
        elif set(r + a) <= set("ACGT") and len(r + a) <= ALLELE_MAX_BASES:
            assert code >= 0
            assert seen.setdefault(code, (r, a)) == (r, a), "two allele pairs share a code"
        else:
            assert code == ALLELE_UNCODED, (r, a)
    assert len(seen) > 3000
    # Chunking and sliced (offset) arrays give the same codes.
    assert np.array_equal(allele_codes(ref, alt, chunk=777), codes)
    assert np.array_equal(allele_codes(ref.slice(123), alt.slice(123)), codes[123:])
    assert np.array_equal(allele_codes(pa.array(["", "G"]), pa.array(["", "T"])),
                          allele_codes(pa.array(["", "G"], pa.large_string()),
                                       pa.array(["", "T"], pa.large_string())))


def test_uncoded_alleles_match_by_their_strings(four_source_bundle, trio_hg002):
    """Alleles with N or over ALLELE_MAX_BASES bases take the string path, and it is exercised."""
    from varrank.annotate.lookup_index import ALLELE_UNCODED

    bundle = open_bundle(four_source_bundle, "GRCh37")
    index = bundle.index("clinvar")
    uncoded = np.flatnonzero(np.asarray(index.allele) == ALLELE_UNCODED)
    assert uncoded.size > 10, "ClinVar chr1 holds long indels"
    rows = index.take(uncoded, ["ref", "alt"])
    keys = pa.table({"chrom": [index.contigs[int(k) >> 32] for k in index.locus[uncoded]],
                     "pos": [int(k) & 0xFFFFFFFF for k in index.locus[uncoded]],
                     "ref": [r.lower() for r in rows.column("ref").to_pylist()],
                     "alt": rows.column("alt")})
    got, matches = lookup(bundle, keys)
    assert matches["clinvar"] == uncoded.size
    assert got["clinvar_variation_id"].null_count == 0


def test_spread_lays_compact_rows_out_like_a_take():
    from varrank.annotate.lookup_index import spread_array

    rng = np.random.default_rng(3)
    n = 5000
    present = np.sort(rng.choice(n, 1800, replace=False))
    m = present.size
    nulls = rng.random(m) < 0.2
    columns = [
        pa.array([None if z else "x" * int(k) + "é" for z, k in zip(nulls, rng.integers(0, 9, m))]),
        pa.array(rng.integers(-5, 5, m), mask=nulls),
        pa.array(rng.random(m), mask=nulls),
        pa.array(rng.random(m) < 0.5, mask=nulls),
        pa.array([[1, 2]] * m, pa.list_(pa.int64())),  # no fast path: falls back to take
        pa.array(["a", "bb", ""] * (m // 3) + ["c"] * (m % 3)).slice(0),  # no nulls
    ]
    columns.append(pa.array(["q" * 3] * (m + 40)).slice(40))  # a slice with an offset
    place = np.full(n, -1)
    place[present] = np.arange(m)
    for values in columns:
        got = spread_array(values, present, n)
        assert got.type == values.type
        assert got.equals(values.take(pa.array(place, mask=place < 0))), values.type
    assert spread_array(columns[0], np.arange(m), m) is columns[0]


def test_index_carries_only_the_columns_the_lookup_reads(four_source_bundle):
    from varrank.annotate.lookup_columns import read_by_lookup

    bundle = open_bundle(four_source_bundle, "GRCh37")
    con = bundle.connect()
    for name, source in bundle.manifest["sources"].items():
        table = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [name]).fetchall()]
        carried = bundle.index(name).columns
        assert carried == read_by_lookup(source["kind"], table)
        if source["kind"] == "popfreq":  # the lookup reads AF and group AFs only
            assert "af" in carried and any(c.startswith("af_") for c in carried)
            assert "ac" in table and "ac" not in carried
    con.close()


def test_integer_values_are_stored_in_the_narrowest_width_that_holds_their_range():
    from varrank.annotate.lookup_index import _narrowest_int

    wide = np.dtype(np.int64)
    assert _narrowest_int(0, 152_000, wide) == np.int32  # gnomAD AN
    assert _narrowest_int(-5, 32_767, wide) == np.int16
    assert _narrowest_int(0, 2**40, wide) == np.int64  # kept wide: the lookup widens the rest
    assert _narrowest_int(None, None, wide) == np.int16  # an all-null column


def test_read_ahead_only_for_lookups_that_touch_most_pages(four_source_bundle, monkeypatch):
    import os

    from varrank.annotate import lookup_index

    asked: list[int] = []
    monkeypatch.setattr(lookup_index.os, "posix_fadvise",
                        lambda fd, offset, length, advice: asked.append(advice))
    index = open_bundle(four_source_bundle, "GRCh37").index("clinvar")
    index._read_ahead(1)  # one query in a file of several pages: read only that page
    smallest = len(index.locus) * min(8, index.values.itemsize) / lookup_index.PAGE_BYTES
    assert smallest > 2 and asked == []
    index._read_ahead(len(index.locus))  # as many queries as rows: every file ahead
    assert asked == [os.POSIX_FADV_WILLNEED] * 3
