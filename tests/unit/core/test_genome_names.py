"""core.genome: contig naming rules in Python and their DuckDB twin agree on every style."""

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from varrank.core.genome import bare_name, bare_name_sql, contig_mapper, is_mitochondrial

STYLES = ["1", "chr1", "CHR1", "Chr22", "X", "chrX", "chrx", "Y", "M", "MT", "chrM", "chrMT",
          "CHRM", "mt", "m", "chrUn_KI270302v1", "HLA-A*01:01:01:01", "NC_012920.1",
          "GL000192.1", "chr", "c", "", "chr6_GL000250v2_alt", "Mt", "chrMt"]


def _sql(names):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(n,) for n in names])
    return dict(con.execute(f"SELECT c, {bare_name_sql('c')} FROM t").fetchall())


def test_sql_twin_on_every_naming_style():
    assert _sql(STYLES) == {n: bare_name(n) for n in STYLES}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="chrCHRmMtTxXyY0123456789_.-", max_size=8), min_size=1,
                max_size=20, unique=True))
def test_sql_twin_property(names):
    assert _sql(names) == {n: bare_name(n) for n in names}


def test_mitochondrial_and_mapper():
    assert all(is_mitochondrial(n) for n in ("M", "MT", "chrM", "chrMT", "CHRM", "mt"))
    assert not is_mitochondrial("chrX")
    mapper = contig_mapper(["chr1", "chrM"])
    assert mapper["1"] == "chr1" and mapper["MT"] == "chrM" and mapper["chrM"] == "chrM"
