"""The change log's reads on SQLite: changes after a sequence, the history kept, a snapshot
for a new watch, and the wake-up after a commit. SqliteToyStore inherits them."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator

from toys.core.store import Snapshot
from toys.domain import Toy, ToyChange, WatchFilter
from toys.stores import sqlite_changes as changes
from toys.stores.queries import SQLITE, select_toys
from toys.stores.snapshots import ListedSnapshot, PagedSnapshot
from toys.stores.sqlite_threads import MEMORY, SqliteThreads, connect


class SqliteChangeReads:
    path: str
    _threads: SqliteThreads
    _busy_timeout_s: float
    # Set after every write this store commits (or fails): the change feed's wake-up.
    _committed: asyncio.Event

    async def changes_after(self, sequence: int, limit: int) -> list[ToyChange]:
        return await self._threads.read(
            lambda: changes.changes_after(self._threads.reader(), sequence, limit)
        )

    async def changes_of(self, toy_id: str, limit: int) -> list[ToyChange]:
        return await self._threads.read(
            lambda: changes.changes_of(self._threads.reader(), toy_id, limit)
        )

    async def change_history(self) -> tuple[int, int]:
        return await self._threads.read(lambda: changes.history(self._threads.reader()))

    async def wait_for_changes(self, timeout_s: float) -> None:
        # One waiter (the server's change feed); other processes' writes show at the timeout.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._committed.wait(), timeout_s)
        self._committed.clear()

    @contextlib.asynccontextmanager
    async def snapshot(self, watch: WatchFilter) -> AsyncIterator[Snapshot]:
        sql, params = select_toys(SQLITE, status=watch.status, toy_id=watch.toy_id)
        if self.path == MEMORY:  # one connection: read it whole, on the writer, at once

            def whole() -> tuple[int, list[Toy]]:
                db = self._threads.writer()
                _, head = changes.history(db)
                return head, changes.parse_toys(db.execute(sql, params).fetchall())

            yield ListedSnapshot(*await self._threads.write(whole))
            return

        def begin() -> tuple[sqlite3.Connection, int, sqlite3.Cursor]:
            conn = connect(self.path, self._busy_timeout_s, any_thread=True)
            conn.execute("BEGIN")  # the toys and the head below are one state
            _, head = changes.history(conn)
            return conn, head, conn.execute(sql, params)

        conn, head, cursor = await self._threads.read(begin)
        try:
            yield PagedSnapshot(
                head,
                lambda limit: self._threads.read(
                    lambda: changes.parse_toys(cursor.fetchmany(limit))
                ),
            )
        finally:
            await self._threads.read(conn.close)
