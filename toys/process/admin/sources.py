"""Where `toys-server copy` reads from, without ever changing it.

A SQLite source is copied first, with SQLite's online backup API on a connection that may
only read (`PRAGMA query_only`), into a private snapshot: one consistent state even while a
server writes to it, and a file that may be migrated (an older release's schema) without
touching the source. A PostgreSQL source is read in read-only transactions, whatever schema
version it is at: the columns it has are read, the fields it lacks (an older release's) take
their defaults. Neither is ever created: a source that does not exist is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from toys.core.store import PageCursor
from toys.domain import Toy
from toys.process.admin.refusals import AdminExit, Refused
from toys.stores.opening import is_postgres, redacted
from toys.stores.records import document_fields, field_types, from_plain, to_us
from toys.stores.sqlite import MEMORY, SqliteToyStore

BATCH = 5000


class Source(Protocol):
    async def count(self) -> int: ...

    def batches(self, revision_offset: int) -> AsyncIterator[Sequence[Toy]]:
        """Every toy in creation order, in batches, each revision raised by the offset."""

    async def close(self) -> None: ...


async def identity(db: str) -> str | None:
    """What tells this database from another (None for one that does not exist yet): the
    file's device and inode, or the PostgreSQL instance and database."""
    if not is_postgres(db):
        if db == MEMORY:
            return None
        try:
            stat = os.stat(db)
        except FileNotFoundError:
            return None
        return f"sqlite:{stat.st_dev}:{stat.st_ino}"
    import asyncpg

    try:
        conn = await asyncpg.connect(db, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        row = await conn.fetchrow(
            "SELECT current_database(), pg_postmaster_start_time()::text, inet_server_port()"
        )
    finally:
        await conn.close()
    return None if row is None else f"postgresql:{row[1]}:{row[2]}:{row[0]}"


async def open_source(db: str) -> Source:
    """The source `db` names, opened to be read only; Refused when it does not exist."""
    if is_postgres(db):
        return await PostgresSource.open(db)
    return await SqliteSnapshot.open(db)


class SqliteSnapshot:
    def __init__(self, store: SqliteToyStore, directory: tempfile.TemporaryDirectory[str]) -> None:
        self._store = store
        self._directory = directory

    @classmethod
    async def open(cls, path: str) -> SqliteSnapshot:
        directory = tempfile.TemporaryDirectory(prefix="toys-copy-")
        snapshot = str(Path(directory.name) / "snapshot.db")
        try:
            await asyncio.to_thread(_snapshot, path, snapshot)
            store = await SqliteToyStore.open(snapshot)  # the snapshot is migrated, not `path`
        except BaseException:
            directory.cleanup()
            raise
        return cls(store, directory)

    async def count(self) -> int:
        return await self._store.count()

    async def batches(self, revision_offset: int) -> AsyncIterator[Sequence[Toy]]:
        after: PageCursor | None = None
        while batch := await self._store.list(status=None, after=after, limit=BATCH):
            yield [replace(toy, revision=toy.revision + revision_offset) for toy in batch]
            after = PageCursor(batch[-1].create_time, batch[-1].id)

    async def close(self) -> None:
        await self._store.close()
        self._directory.cleanup()


def _snapshot(path: str, to: str) -> None:
    if path == MEMORY or not os.path.exists(path):
        raise Refused(AdminExit.NO_SOURCE, f"{path} does not exist; nothing was copied")
    source = sqlite3.connect(f"file:{path}?mode=rw", uri=True)  # never creates the file
    try:
        source.execute("PRAGMA query_only = ON")
        tables = source.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        version = source.execute("PRAGMA user_version").fetchone()[0]
        if tables and not version:
            raise Refused(AdminExit.NO_SOURCE, f"{path} is not a toy-factory database")
        target = sqlite3.connect(to)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


class PostgresSource:
    def __init__(self, pool: Any, columns: list[str]) -> None:
        self._pool = pool
        self._columns = columns

    @classmethod
    async def open(cls, dsn: str) -> PostgresSource:
        import asyncpg

        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=1,
                server_settings={"default_transaction_read_only": "on"},
            )
        except asyncpg.InvalidCatalogNameError:
            raise Refused(
                AdminExit.NO_SOURCE, f"{redacted(dsn)} does not exist; nothing was copied"
            ) from None
        present = {
            row[0]
            for row in await pool.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'toys'"
            )
        }
        if not present:
            await pool.close()
            raise Refused(AdminExit.NO_SOURCE, f"{redacted(dsn)} is not a toy-factory database")
        return cls(pool, [name for name in field_types(Toy) if name in present])

    async def count(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM toys"))

    async def batches(self, revision_offset: int) -> AsyncIterator[Sequence[Toy]]:
        # Only column names this release defines go into the SQL, and no value.
        select = f"SELECT {', '.join(self._columns)} FROM toys"  # noqa: S608
        first = f"{select} ORDER BY create_time, id LIMIT $1"
        after = f"{select} WHERE (create_time, id) > ($1, $2) ORDER BY create_time, id LIMIT $3"
        cursor: tuple[datetime, str] | None = None
        while True:
            if cursor is None:
                rows = await self._pool.fetch(first, BATCH)
            else:
                rows = await self._pool.fetch(after, *cursor, BATCH)
            if not rows:
                return
            batch = [_toy(dict(row)) for row in rows]
            yield [replace(toy, revision=toy.revision + revision_offset) for toy in batch]
            cursor = (rows[-1]["create_time"], rows[-1]["id"])

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._pool.close()


def _toy(row: dict[str, Any]) -> Toy:
    """A toy from the columns a database of any release has; absent fields take defaults."""
    documents = document_fields(Toy)
    plain: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, datetime):
            plain[name] = to_us(value)
        elif isinstance(value, str) and name in documents:
            plain[name] = json.loads(value)
        else:
            plain[name] = value
    return cast("Toy", from_plain(Toy, plain))
