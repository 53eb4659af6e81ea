"""The SQLite ToyStore: connections, transactions and the SQL. Schema: sqlite_schema.

All database work runs on one dedicated thread that owns the connection, so the event loop
never blocks on disk and no two changes to the database interleave inside this process.
Updates take SQLite's write lock up front (BEGIN IMMEDIATE), so a second process on the same
file cannot interleave either.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from toys.domain import ManufactureStatus, Toy, ToyError, ToyNotFound
from toys.store import Change, PageCursor, StoreUnavailable
from toys.stores.records import Plain, field_types, from_plain, is_document, to_plain, to_us
from toys.stores.sqlite_schema import SchemaTooNew, migrate

MEMORY = ":memory:"

_FIELDS = field_types(Toy)
# Structured fields (the last run, the remembered callbacks) are JSON text in their column.
_DOCUMENT_COLUMNS = frozenset(name for name, kind in _FIELDS.items() if is_document(kind))
_COLUMNS = ", ".join(_FIELDS)
_SELECT_BY_ID = f"SELECT {_COLUMNS} FROM toys WHERE id = ?"
_INSERT = f"INSERT INTO toys ({_COLUMNS}) VALUES ({', '.join('?' * len(_FIELDS))})"
# Every column but the id, in field order, then the id for WHERE.
_UPDATE = f"UPDATE toys SET {', '.join(f'{c} = ?' for c in list(_FIELDS)[1:])} WHERE id = ?"


def _row_values(toy: Toy) -> list[object]:
    values: list[object] = []
    for name in _FIELDS:
        plain = to_plain(getattr(toy, name))
        if name in _DOCUMENT_COLUMNS and plain is not None:
            values.append(json.dumps(plain, separators=(",", ":"), ensure_ascii=False))
        else:
            values.append(plain)
    return values


def _toy_from_row(row: sqlite3.Row) -> Toy:
    plain: dict[str, Plain] = {}
    for name in _FIELDS:
        value = row[name]
        plain[name] = (
            json.loads(value) if name in _DOCUMENT_COLUMNS and value is not None else value
        )
    return cast("Toy", from_plain(Toy, plain))


def _connect(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout_s,
        isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        check_same_thread=True,
    )
    conn.row_factory = sqlite3.Row
    if path != MEMORY:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"{path}: could not switch the database to WAL (got {mode})")
    # FULL: a callback that was acknowledged survives a power cut too; Argo will not resend it.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class SqliteToyStore:
    """ToyStore on one SQLite database file (or `:memory:` for a throwaway run)."""

    def __init__(self, path: str, *, busy_timeout_s: float = 5.0) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toys-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: str, *, busy_timeout_s: float = 5.0) -> SqliteToyStore:
        """Open (creating if needed) and migrate the database; raise StoreUnavailable."""
        store = cls(path, busy_timeout_s=busy_timeout_s)
        try:
            await store._run(store._open_sync)
        except BaseException:
            await store.close()
            raise
        return store

    # -- plumbing ----------------------------------------------------------------------------

    async def _run[T](self, work: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor, self._guarded, work)
        except RuntimeError as exc:  # close() shut the executor down after the check above
            raise StoreUnavailable("the store is closed") from exc
        return await future

    @staticmethod
    def _guarded[T](work: Callable[[], T]) -> T:
        try:
            return work()
        except ToyError:
            raise
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"database error: {exc}") from exc

    def _open_sync(self) -> None:
        conn = _connect(self.path, self._busy_timeout_s)
        try:
            migrate(conn)
        except SchemaTooNew as exc:
            conn.close()
            raise StoreUnavailable(f"{self.path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable("the store is not open")
        return self._conn

    def _select_one(self, toy_id: str) -> Toy:
        row = self._db().execute(_SELECT_BY_ID, (toy_id,)).fetchone()
        if row is None:
            raise ToyNotFound(toy_id)
        return _toy_from_row(row)

    # -- ToyStore ----------------------------------------------------------------------------

    async def add(self, toy: Toy) -> None:
        def work() -> None:
            self._db().execute(_INSERT, _row_values(toy))

        await self._run(work)

    async def get(self, toy_id: str) -> Toy:
        return await self._run(lambda: self._select_one(toy_id))

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        clauses: list[str] = []
        params: list[object] = []
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if after is not None:
            clauses.append("(create_time, id) > (?, ?)")
            params.extend((to_us(after.create_time), after.toy_id))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM toys {where} ORDER BY create_time, id LIMIT ?"
        params.append(limit)

        def work() -> list[Toy]:
            return [_toy_from_row(row) for row in self._db().execute(sql, params)]

        return await self._run(work)

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        def work() -> R:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                new, result = change(self._select_one(toy_id))
                if new is not None:
                    db.execute(_UPDATE, (*_row_values(new)[1:], toy_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return result

        return await self._run(work)

    async def delete(self, toy_id: str) -> None:
        def work() -> None:
            if self._db().execute("DELETE FROM toys WHERE id = ?", (toy_id,)).rowcount == 0:
                raise ToyNotFound(toy_id)

        await self._run(work)

    async def ping(self) -> None:
        def work() -> None:
            # Read the table and take the write lock: a database that is unreadable, or locked
            # by a stuck writer for longer than the busy timeout, cannot serve callbacks.
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("SELECT 1 FROM toys LIMIT 1").fetchall()
            finally:
                db.execute("ROLLBACK")

        await self._run(work)

    async def schema_version(self) -> int:
        """The schema version the open database is at."""
        return await self._run(lambda: int(self._db().execute("PRAGMA user_version").fetchone()[0]))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def work() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, work)
        finally:
            self._executor.shutdown(wait=False)
