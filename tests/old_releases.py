"""Databases as the first release wrote them (schema 1), to upgrade and copy from."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from toys.stores.sqlite_schema import MIGRATIONS

# The toy every_field_set() describes, as schema 1 stored it (times in microseconds, run keys
# named by unit, the callbacks remembered as pairs).
_SCHEMA_1_ROW = (
    "every-field",
    "Car",
    "Ada",
    "Acme",
    1_775_001_600_000_000,
    1_775_088_000_000_000,
    1_777_631_465_000_000,
    "Failed",
    5,
    1_776_643_200_000_000,
    '{"uid":"4a1f","name":"make-1","namespace":"factory","status":"Failed",'
    '"creation_us":1777629600000000,"started_us":1777629601000000,'
    '"finished_us":1777631460000000,"message":"main: exit code 3","units_produced":2,'
    '"failures":[{"display_name":"main","message":"exit code 3","template_name":"assemble",'
    '"phase":"Failed","pod_name":"make-1-main-42","finished_us":1777631400000000}]}',
    '[["9c2e","Succeeded"],["4a1f","Failed"]]',
)


def write_first_release_database(path: Path) -> None:
    """A SQLite file at schema 1 holding the one toy of _SCHEMA_1_ROW ("every-field")."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("BEGIN")
        for statement in MIGRATIONS[0]:
            assert isinstance(statement, str)
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO toys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _SCHEMA_1_ROW)
        conn.execute("COMMIT")
