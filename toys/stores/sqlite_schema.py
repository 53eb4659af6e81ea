"""The SQLite schema and its migrations, versioned in PRAGMA user_version.

Each entry of MIGRATIONS takes the schema from version N to N + 1: SQL statements, or a
function for a data change SQL cannot say. Never edit an entry that has shipped: append one.
Column names are the domain's field names, so that rows map through toys.stores.records.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from typing import Any

type Step = str | Callable[[sqlite3.Connection], None]
type OnVersion = Callable[[int, int], None]

_RUN_KEYS_V1_TO_V2 = {
    "creation_us": "creation_time",
    "started_us": "started_at",
    "finished_us": "finished_at",
}


def _rename_run_keys(conn: sqlite3.Connection) -> None:
    """last_run documents of schema 1 named times by their unit; name them as the domain does."""

    def renamed(document: dict[str, Any]) -> dict[str, Any]:
        return {_RUN_KEYS_V1_TO_V2.get(key, key): value for key, value in document.items()}

    rows = conn.execute("SELECT id, last_run FROM toys WHERE last_run IS NOT NULL").fetchall()
    for toy_id, text in rows:
        run = renamed(json.loads(text))
        run["failures"] = [renamed(failure) for failure in run.get("failures", [])]
        conn.execute(
            "UPDATE toys SET last_run = ? WHERE id = ?",
            (json.dumps(run, separators=(",", ":"), ensure_ascii=False), toy_id),
        )


def _make_deployment_key(conn: sqlite3.Connection) -> None:
    """One random key per database, for what every server on it must agree on (page tokens)."""
    conn.execute("INSERT INTO meta (name, value) VALUES ('deployment_key', ?)", (os.urandom(32),))


MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (
        """
        CREATE TABLE toys (
            id                  TEXT    NOT NULL PRIMARY KEY,
            name                TEXT    NOT NULL,
            designer            TEXT    NOT NULL,
            manufacturor        TEXT    NOT NULL,
            design_us           INTEGER NOT NULL,
            create_us           INTEGER NOT NULL,
            update_us           INTEGER NOT NULL,
            status              TEXT    NOT NULL
                CHECK (status IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Error')),
            number_manufactured INTEGER NOT NULL
                CHECK (number_manufactured BETWEEN 0 AND 2147483647),
            manufacture_us      INTEGER,
            last_run            TEXT,
            applied_callbacks   TEXT    NOT NULL DEFAULT '[]'
        ) STRICT
        """,
        "CREATE INDEX toys_by_creation ON toys (create_us, id)",
        "CREATE INDEX toys_by_status ON toys (status, create_us, id)",
    ),
    (
        # Columns named as the domain's fields (indexes follow a renamed column).
        "ALTER TABLE toys RENAME COLUMN manufacturor TO manufacturer",
        "ALTER TABLE toys RENAME COLUMN design_us TO design_time",
        "ALTER TABLE toys RENAME COLUMN create_us TO create_time",
        "ALTER TABLE toys RENAME COLUMN update_us TO update_time",
        "ALTER TABLE toys RENAME COLUMN manufacture_us TO manufacture_time",
        _rename_run_keys,
    ),
    (
        # Values of the database itself: its deployment key, the health probe's last write.
        "CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) STRICT",
        _make_deployment_key,
    ),
    ("ALTER TABLE toys ADD COLUMN revision INTEGER NOT NULL DEFAULT 1",),
    (
        # The change log (toys.stores.sqlite_changes): a toy as JSON, as toys.stores.records
        # writes it. AUTOINCREMENT: a sequence is never handed out twice, even after pruning.
        """
        CREATE TABLE toy_changes (
            sequence        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            toy_id          TEXT    NOT NULL,
            kind            TEXT    NOT NULL CHECK (kind IN ('ADDED', 'MODIFIED', 'DELETED')),
            previous_status TEXT,
            toy             TEXT    NOT NULL
        ) STRICT
        """,
    ),
    (
        # Create requests by request_id (toys.stores.sqlite_requests), and every update of a
        # row its next revision, whoever writes it: a row edited by hand with the sqlite3
        # shell is not mistaken for the state cached under its old revision.
        """
        CREATE TABLE create_requests (
            request_id   TEXT    NOT NULL PRIMARY KEY,
            fingerprint  TEXT    NOT NULL,
            toy          TEXT    NOT NULL,
            created_time INTEGER NOT NULL
        ) STRICT
        """,
        "CREATE INDEX create_requests_by_time ON create_requests (created_time)",
        """
        CREATE TRIGGER toys_next_revision AFTER UPDATE ON toys
        WHEN NEW.revision IS NOT OLD.revision + 1
        BEGIN
            UPDATE toys SET revision = OLD.revision + 1 WHERE id = NEW.id;
        END
        """,
    ),
    (
        # A toy's history (GetToyHistory) read from the change log without a scan of it.
        "CREATE INDEX toy_changes_by_toy ON toy_changes (toy_id, sequence)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaMismatch(Exception):
    """The database's schema is not the one this release runs on, and may not be changed."""


def migrate(
    conn: sqlite3.Connection,
    target: int = SCHEMA_VERSION,
    *,
    allowed: bool = True,
    on_version: OnVersion | None = None,
) -> int:
    """Bring the schema to `target` in one write transaction (or, not `allowed`, insist that
    it is there); return the version found. `on_version(found_or_applied, target)` hears of
    the version found, then of each one applied. Raises SchemaMismatch."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"schema version {found} is newer than this server supports ({SCHEMA_VERSION}); "
                "upgrade toy-factory"
            )
        if found < target and not allowed:
            raise SchemaMismatch(
                f"schema version {found} is older than this server needs ({target}), and "
                "--no-migrate forbids changing it: run `toys-server migrate` first"
            )
        if on_version is not None:
            on_version(found, target)
        for version in range(found + 1, target + 1):
            for step in MIGRATIONS[version - 1]:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
            # PRAGMA takes no placeholders; `version` is an int from our own range.
            conn.execute(f"PRAGMA user_version = {int(version)}")
            if on_version is not None:
                on_version(version, target)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
