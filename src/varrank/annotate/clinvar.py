"""ClinVar review stars computed inside the bundle's DuckDB store at build time.

The star table and the spelling rule live in :mod:`varrank.core.clinvar`; this module only
applies them in SQL, so a bundle's ``stars`` column equals ``review_stars(review_status)``.
"""

from __future__ import annotations

import duckdb

from varrank.core.clinvar import REVIEW_STARS, review_status_key_sql


def add_review_stars(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Add a TINYINT ``stars`` column computed from ``review_status`` (null when unknown)."""
    con.execute(f'ALTER TABLE "{table}" ADD COLUMN stars TINYINT')
    con.execute("CREATE TEMP TABLE _stars (status_key VARCHAR, stars TINYINT)")
    con.executemany("INSERT INTO _stars VALUES (?, ?)", list(REVIEW_STARS.items()))
    con.execute(f'UPDATE "{table}" t SET stars = s.stars FROM _stars s '
                f"WHERE {review_status_key_sql('t.review_status')} = s.status_key")
    con.execute("DROP TABLE _stars")
