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
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from toys.domain import Toy
from toys.process.admin.refusals import AdminExit, Refused
from toys.stores.opening import is_postgres, redacted
from toys.stores.queries import SQLITE, select_toys
from toys.stores.records import PlainRow, field_types, to_columns, to_us
from toys.stores.sqlite import MEMORY, SqliteToyStore

BATCH = 5000


class Source(Protocol):
    async def count(self) -> int: ...

    def batches(self, revision_offset: int) -> AsyncIterator[Sequence[PlainRow]]:
        """Every toy in creation order, in batches, as its columns (toys.stores.records
        PlainRow: no Toy is made of a row), each revision raised by the offset."""

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
    def __init__(self, path: str, directory: tempfile.TemporaryDirectory[str]) -> None:
        self._path = path
        self._directory = directory

    @classmethod
    async def open(cls, path: str) -> SqliteSnapshot:
        directory = tempfile.TemporaryDirectory(prefix="toys-copy-")
        snapshot = str(Path(directory.name) / "snapshot.db")
        try:
            await asyncio.to_thread(_snapshot, path, snapshot)
            store = await SqliteToyStore.open(snapshot)  # the snapshot is migrated, not `path`
            await store.close()
        except BaseException:
            directory.cleanup()
            raise
        return cls(snapshot, directory)

    async def count(self) -> int:
        def work() -> int:
            with closing(sqlite3.connect(self._path)) as conn:
                return int(conn.execute("SELECT count(*) FROM toys").fetchone()[0])

        return await asyncio.to_thread(work)

    async def batches(self, revision_offset: int) -> AsyncIterator[Sequence[PlainRow]]:
        conn = await asyncio.to_thread(sqlite3.connect, self._path, check_same_thread=False)
        try:
            cursor = await asyncio.to_thread(conn.execute, *select_toys(SQLITE))
            while rows := await asyncio.to_thread(cursor.fetchmany, BATCH):
                yield [_offset(list(row), revision_offset) for row in rows]
        finally:
            conn.close()

    async def close(self) -> None:
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

    async def batches(self, revision_offset: int) -> AsyncIterator[Sequence[PlainRow]]:
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
            yield [_offset(_plain_row(row), revision_offset) for row in rows]
            cursor = (rows[-1]["create_time"], rows[-1]["id"])

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._pool.close()


_REVISION = list(field_types(Toy)).index("revision")
# What a column an older release did not have holds: its field's default, as a column (only
# fields with a default were ever added: revision, so far).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DEFAULTS = Toy("", "", "", "", _EPOCH, _EPOCH, _EPOCH)
_ABSENT = dict(zip(field_types(Toy), to_columns(_DEFAULTS, times="us"), strict=True))


def _offset(row: PlainRow, revision_offset: int) -> PlainRow:
    row[_REVISION] = int(cast("int", row[_REVISION])) + revision_offset
    return row


def _plain_row(record: Any) -> PlainRow:
    """A PostgreSQL row of any release as columns: times in microseconds, documents as JSON
    text (asyncpg gives jsonb as text), absent columns their defaults."""
    present = dict(record)
    row: PlainRow = []
    for name in field_types(Toy):
        value = present.get(name, _ABSENT[name])
        row.append(to_us(value) if isinstance(value, datetime) else value)
    return row
