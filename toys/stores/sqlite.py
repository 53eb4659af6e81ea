"""The SQLite ToyStore: the SQL of each operation. Threads and connections: sqlite_threads;
schema and migrations: sqlite_schema; row <-> toy: toys.stores.records."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from toys.core.by_revision import ByRevision
from toys.core.store import KEEP_CHANGES, Change, PageCursor, StoreUnavailable, check_next_revision
from toys.domain import ChangeKind, ManufactureStatus, RequestKey, Toy, ToyNotFound
from toys.stores import sqlite_changes as changes
from toys.stores import sqlite_requests as requests
from toys.stores.group_commit import Answer, GroupCommit, NewToys
from toys.stores.queries import INSERT_SQLITE, SQLITE, select_toys
from toys.stores.records import field_types, from_columns, to_columns
from toys.stores.sqlite_bulk import SqliteBulk
from toys.stores.sqlite_change_reads import SqliteChangeReads
from toys.stores.sqlite_schema import OnVersion
from toys.stores.sqlite_threads import (
    MEMORY,
    SqliteThreads,
    open_and_migrate,
    read_transaction,
    write_transaction,
)

__all__ = ["MEMORY", "SqliteToyStore"]

# Columns are the toy's fields; structured ones (the last run, the remembered callbacks) are
# JSON text, times integer microseconds since the epoch (toys.stores.records).
_FIELDS = field_types(Toy)
_COLUMNS = ", ".join(_FIELDS)
_SELECT = f"SELECT {_COLUMNS} FROM toys"
_SELECT_BY_ID = f"{_SELECT} WHERE id = ?"
# Every column but the id, in field order, then the id for WHERE.
_UPDATE = f"UPDATE toys SET {', '.join(f'{c} = ?' for c in list(_FIELDS)[1:])} WHERE id = ?"
# The change log is pruned to its newest `keep_changes` after every PRUNE_EVERY changes.
PRUNE_EVERY = 500
_PROBE = (
    "INSERT INTO meta (name, value) VALUES ('health_probe', ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)


def _row_values(toy: Toy) -> list[object]:
    return to_columns(toy, times="us")


def _parse(row: sqlite3.Row) -> Toy:
    return cast("Toy", from_columns(Toy, {name: row[name] for name in _FIELDS}))


class SqliteToyStore(SqliteBulk, SqliteChangeReads):
    """ToyStore on one SQLite database file (or `:memory:` for a throwaway run); the change
    log's reads come from SqliteChangeReads, what `toys-server copy` needs from SqliteBulk."""

    db_system = "sqlite"

    def __init__(
        self, path: str, *, busy_timeout_s: float = 5.0, keep_changes: int = KEEP_CHANGES
    ) -> None:
        self.path = path
        self._threads = SqliteThreads(path, busy_timeout_s)
        self._busy_timeout_s = busy_timeout_s
        self._cache: ByRevision[Toy] = ByRevision()
        self._adds = GroupCommit(self._threads.write, self._insert, self._threads.writer)
        self._keep_changes = keep_changes
        self._logged_since_prune = 0  # touched on the writer thread only
        self._committed = asyncio.Event()

    def _insert(self, db: sqlite3.Connection, toys: NewToys) -> list[Answer]:
        """Store the new toys (inside the caller's transaction); each one's answer."""
        answers: list[Answer] = []
        stored: list[Toy] = []
        for toy, request in toys:
            earlier = requests.claim(db, toy, request) if request is not None else None
            if earlier is None:
                stored.append(toy)
            answers.append(earlier or toy)
        db.executemany(INSERT_SQLITE, [_row_values(toy) for toy in stored])
        self._log(db, ChangeKind.ADDED, stored)
        return answers

    def _log(
        self,
        db: sqlite3.Connection,
        kind: ChangeKind,
        toys: Sequence[Toy],
        previous: ManufactureStatus | None = None,
    ) -> None:
        """Record the changes in the write's own transaction, pruning the log now and then."""
        changes.record(db, kind, toys, previous)
        self._logged_since_prune += len(toys)
        if self._logged_since_prune >= PRUNE_EVERY:
            changes.prune(db, self._keep_changes)
            requests.forget_old(db, datetime.now(UTC))
            self._logged_since_prune = 0

    def _toy(self, row: sqlite3.Row) -> Toy:
        return self._cache.get_or_make(row["id"], row["revision"], _parse, row)

    def _select_one(self, conn: sqlite3.Connection, toy_id: str) -> Toy:
        row = conn.execute(_SELECT_BY_ID, (toy_id,)).fetchone()
        if row is None:
            raise ToyNotFound(toy_id)
        return self._toy(row)

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        busy_timeout_s: float = 5.0,
        migrate_schema: bool = True,
        keep_changes: int = KEEP_CHANGES,
        on_version: OnVersion | None = None,
    ) -> SqliteToyStore:
        """Open (creating if needed) and migrate the database (or, not `migrate_schema`, check
        its schema); raise StoreUnavailable."""
        store = cls(path, busy_timeout_s=busy_timeout_s, keep_changes=keep_changes)

        def open_writer() -> None:
            store._threads.writer_conn = open_and_migrate(
                path, busy_timeout_s, migrate_schema=migrate_schema, on_version=on_version
            )

        try:
            await store._threads.write(open_writer)
        except BaseException:
            await store.close()
            raise
        return store

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        try:
            return await self._adds.add(toy, request)
        finally:
            self._committed.set()

    async def get(self, toy_id: str) -> Toy:
        return await self._threads.read(lambda: self._select_one(self._threads.reader(), toy_id))

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        # The page's ids and revisions first: most toys of a page were parsed before, and
        # turning a dozen columns of a hundred rows into Python objects was most of a page's
        # cost. Only the toys not kept at that revision are read whole, in the same snapshot.
        sql, params = select_toys(
            SQLITE, status=status, after=after, limit=limit, columns="id, revision"
        )

        def work() -> list[Toy]:
            conn = self._threads.reader()
            with read_transaction(conn):
                keys = conn.execute(sql, params).fetchall()
                kept = [self._cache.peek(toy_id, revision) for toy_id, revision in keys]
                missing = [key[0] for key, toy in zip(keys, kept, strict=True) if toy is None]
                read = self._select_many(conn, missing) if missing else {}
            return [toy or read[key[0]] for key, toy in zip(keys, kept, strict=True)]

        return await self._threads.read(work)

    def _select_many(self, conn: sqlite3.Connection, toy_ids: Sequence[str]) -> dict[str, Toy]:
        marks = ", ".join("?" * len(toy_ids))
        rows = conn.execute(f"{_SELECT} WHERE id IN ({marks})", toy_ids)
        return {row["id"]: self._toy(row) for row in rows}

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        def work() -> R:
            with write_transaction(self._threads.writer()) as db:
                current = self._select_one(db, toy_id)
                new, result = change(current)
                if new is not None:
                    check_next_revision(current, new)
                    db.execute(_UPDATE, (*_row_values(new)[1:], toy_id))
                    self._log(db, ChangeKind.MODIFIED, [new], current.status)
            return result

        try:
            return await self._threads.write(work)
        finally:
            self._committed.set()

    async def delete(self, toy_id: str) -> None:
        def work() -> None:
            with write_transaction(self._threads.writer()) as db:
                last = self._select_one(db, toy_id)
                db.execute("DELETE FROM toys WHERE id = ?", (toy_id,))
                self._log(db, ChangeKind.DELETED, [last], last.status)

        try:
            await self._threads.write(work)
        finally:
            self._committed.set()
        self._cache.forget(toy_id)

    async def ping(self) -> None:
        def work() -> None:
            # A real, durable write: a full disk, a read-only or immutable file, or a writer
            # stuck holding the lock past the busy timeout all fail here, as callbacks would.
            with write_transaction(self._threads.writer()) as db:
                db.execute(_PROBE, (os.urandom(8),))

        await self._threads.write(work)

    async def deployment_key(self) -> bytes:
        def work() -> bytes:
            row = (
                self._threads.reader()
                .execute("SELECT value FROM meta WHERE name = 'deployment_key'")
                .fetchone()
            )
            if row is None:
                raise StoreUnavailable("the database has no deployment key; it was not migrated")
            return bytes(row[0])

        return await self._threads.read(work)

    async def schema_version(self) -> int:
        """The schema version the open database is at."""
        return await self._threads.read(
            lambda: int(self._threads.reader().execute("PRAGMA user_version").fetchone()[0])
        )

    async def close(self) -> None:
        await self._threads.close()
