"""The PostgreSQL schema and its migrations, versioned in the table schema_version.

Migrations run in one transaction under an advisory lock, so that ten replicas starting at
once migrate once: the first takes the lock and migrates, the others wait for it and then find
nothing to do. Never edit an entry that has shipped: append one.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

# pg_advisory_xact_lock's keys: constants of our own, "toys" in ASCII for migrations (and
# "chgs", 1667786611, for the change log's trigger below).
MIGRATION_LOCK = 0x746F7973
# Where the change log's trigger announces a commit (LISTEN/NOTIFY).
CHANGES_CHANNEL = "toy_changes"

type Step = str | Callable[[Any], Awaitable[None]]


async def _make_deployment_key(conn: Any) -> None:
    """One random key per database, for what every replica must agree on (page tokens)."""
    await conn.execute(
        "INSERT INTO meta (name, value) VALUES ('deployment_key', $1)", os.urandom(32)
    )


MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (
        """
        CREATE TABLE toys (
            id                  TEXT        NOT NULL PRIMARY KEY,
            name                TEXT        NOT NULL,
            designer            TEXT        NOT NULL,
            manufacturer        TEXT        NOT NULL,
            design_time         TIMESTAMPTZ NOT NULL,
            create_time         TIMESTAMPTZ NOT NULL,
            update_time         TIMESTAMPTZ NOT NULL,
            status              TEXT        NOT NULL
                CHECK (status IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Error')),
            number_manufactured INTEGER     NOT NULL CHECK (number_manufactured >= 0),
            manufacture_time    TIMESTAMPTZ,
            last_run            JSONB,
            applied_callbacks   JSONB       NOT NULL DEFAULT '[]'
        )
        """,
        "CREATE INDEX toys_by_creation ON toys (create_time, id)",
        "CREATE INDEX toys_by_status ON toys (status, create_time, id)",
        "CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value BYTEA NOT NULL)",
        _make_deployment_key,
    ),
    ("ALTER TABLE toys ADD COLUMN revision BIGINT NOT NULL DEFAULT 1",),
    (
        # The change log (toys.stores.postgres_changes), written by a trigger in the write's
        # own transaction, so that no write, from any replica or from psql, goes unrecorded.
        """
        CREATE TABLE toy_changes (
            sequence        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            toy_id          TEXT  NOT NULL,
            kind            TEXT  NOT NULL CHECK (kind IN ('ADDED', 'MODIFIED', 'DELETED')),
            previous_status TEXT,
            toy             JSONB NOT NULL
        )
        """,
        # The lock makes sequences commit in order: a writer takes it before drawing its
        # sequence and holds it until it commits, so the changes any reader can see are
        # always every change up to some sequence (gaps are rolled-back writes, never
        # commits still to come). NOTIFY is delivered at commit, to every replica, on
        # CHANGES_CHANNEL (written out: a shipped migration never changes).
        """
        CREATE FUNCTION toys_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(1667786611);
            IF TG_OP = 'INSERT' THEN
                INSERT INTO toy_changes (toy_id, kind, previous_status, toy)
                VALUES (NEW.id, 'ADDED', NULL, to_jsonb(NEW));
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO toy_changes (toy_id, kind, previous_status, toy)
                VALUES (NEW.id, 'MODIFIED', OLD.status, to_jsonb(NEW));
            ELSE
                INSERT INTO toy_changes (toy_id, kind, previous_status, toy)
                VALUES (OLD.id, 'DELETED', OLD.status, to_jsonb(OLD));
            END IF;
            PERFORM pg_notify('toy_changes', '');
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER toys_log_change AFTER INSERT OR UPDATE OR DELETE ON toys
        FOR EACH ROW EXECUTE FUNCTION toys_log_change()
        """,
    ),
    (
        # Create requests by request_id (toys.stores.postgres_requests).
        """
        CREATE TABLE create_requests (
            request_id   TEXT        NOT NULL PRIMARY KEY,
            fingerprint  TEXT        NOT NULL,
            toy          JSONB       NOT NULL,
            created_time TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX create_requests_by_time ON create_requests (created_time)",
        # Every update of a row is its next revision, whoever writes it: a row edited in psql
        # is not mistaken, on any replica, for the state cached under its old revision.
        """
        CREATE FUNCTION toys_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.revision := OLD.revision + 1;
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE TRIGGER toys_next_revision BEFORE UPDATE ON toys
        FOR EACH ROW EXECUTE FUNCTION toys_next_revision()
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


async def schema_version(conn: Any) -> int:
    if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
        return 0
    return int(await conn.fetchval("SELECT version FROM schema_version"))


async def migrate(
    conn: Any, *, allowed: bool = True, on_version: Callable[[int, int], None] | None = None
) -> int:
    """Bring the schema to SCHEMA_VERSION (or, not `allowed`, insist that it is); return the
    version found. `on_version(found_or_applied, SCHEMA_VERSION)` hears of the version found,
    then of each one applied. Raises SchemaMismatch."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        found = await schema_version(conn)
        if found > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"schema version {found} is newer than this server supports ({SCHEMA_VERSION}); "
                "upgrade toy-factory"
            )
        if found < SCHEMA_VERSION and not allowed:
            raise SchemaMismatch(
                f"schema version {found} is older than this server needs ({SCHEMA_VERSION}), "
                "and --no-migrate forbids changing it: run `toys-server migrate` first"
            )
        if found == 0:
            await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            await conn.execute("INSERT INTO schema_version VALUES (0)")
        if on_version is not None:
            on_version(found, SCHEMA_VERSION)
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for step in MIGRATIONS[version - 1]:
                if isinstance(step, str):
                    await conn.execute(step)
                else:
                    await step(conn)
            await conn.execute("UPDATE schema_version SET version = $1", version)
            if on_version is not None:
                on_version(version, SCHEMA_VERSION)
    return found
