"""What `toys-server copy` needs from the SQLite store beyond the port: many toys at once, in
one transaction, how many there are, the highest revision, and none. SqliteToyStore
inherits these; they are for tools, not for a server taking calls on the same store."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence

from toys.core.by_revision import ByRevision
from toys.core.store import StatusSummary
from toys.domain import ManufactureStatus, Toy
from toys.stores.group_commit import Answer, NewToys
from toys.stores.queries import INSERT_SQLITE, RUNNING_SINCE_SQL
from toys.stores.records import PlainRow, document_fields, field_types, from_us
from toys.stores.sqlite_threads import SqliteThreads, write_transaction

_FIELDS = field_types(Toy)
# A toy as the change log keeps it (toys.stores.records.toy_document), made by SQLite.
_DOCUMENT = "json_object({})".format(
    ", ".join(
        f"'{name}', json({name})" if name in document_fields(Toy) else f"'{name}', {name}"
        for name in _FIELDS
    )
)
_LOG_ADDED_AFTER = (
    "INSERT INTO toy_changes (toy_id, kind, previous_status, toy) "  # constants
    f"SELECT id, 'ADDED', NULL, {_DOCUMENT} FROM toys WHERE rowid > ? ORDER BY rowid"
)


class SqliteBulk:
    _threads: SqliteThreads
    _cache: ByRevision[Toy]
    _committed: asyncio.Event
    _insert: Callable[[sqlite3.Connection, NewToys], list[Answer]]

    async def add_many(self, toys: Sequence[Toy]) -> None:
        """Store many new toys in one transaction (one durable commit, not one per toy)."""

        def work() -> None:
            with write_transaction(self._threads.writer()) as db:
                self._insert(db, [(toy, None) for toy in toys])

        await self._threads.write(work)
        self._committed.set()

    async def load(self, batches: AsyncIterator[Sequence[PlainRow]], *, replace: bool) -> int:
        """Every toy of `batches` (first removing every toy there is, if `replace`), all in
        one transaction: on any failure the store is left as it was. Returns how many. Each
        is logged ADDED, the log's documents made by SQLite itself from the rows."""
        db = self._threads.writer()
        loaded = 0

        def begin() -> None:
            db.execute("BEGIN IMMEDIATE")
            if replace:  # the change log goes too: a resume token from before is too old
                db.execute("DELETE FROM toys")
                db.execute("DELETE FROM toy_changes")

        def insert(rows: Sequence[PlainRow]) -> None:
            after = db.execute("SELECT coalesce(max(rowid), 0) FROM toys").fetchone()[0]
            db.executemany(INSERT_SQLITE, rows)
            db.execute(_LOG_ADDED_AFTER, (after,))

        def rollback() -> None:
            if db.in_transaction:
                db.execute("ROLLBACK")

        await self._threads.write(begin)
        try:
            async for batch in batches:
                await self._threads.write(functools.partial(insert, batch))
                loaded += len(batch)
            await self._threads.write(lambda: db.execute("COMMIT"))
        except BaseException:
            await asyncio.shield(self._threads.write(rollback))
            raise
        finally:
            self._cache.clear()
            self._committed.set()
        return loaded

    async def count(self) -> int:
        return await self._threads.read(
            lambda: int(self._threads.reader().execute("SELECT count(*) FROM toys").fetchone()[0])
        )

    async def status_summary(self) -> StatusSummary:
        def read() -> StatusSummary:
            conn = self._threads.reader()
            counts = conn.execute("SELECT status, count(*) FROM toys GROUP BY status").fetchall()
            (oldest,) = conn.execute(RUNNING_SINCE_SQL).fetchone()
            return StatusSummary(
                {ManufactureStatus(status): int(n) for status, n in counts},
                None if oldest is None else from_us(oldest),
            )

        return await self._threads.read(read)

    async def max_revision(self) -> int:
        query = "SELECT coalesce(max(revision), 0) FROM toys"
        return await self._threads.read(
            lambda: int(self._threads.reader().execute(query).fetchone()[0])
        )

    async def clear(self) -> None:
        """Remove every toy, and the change log with them: a token from before is too old."""

        def work() -> None:
            with write_transaction(self._threads.writer()) as db:
                db.execute("DELETE FROM toys")
                db.execute("DELETE FROM toy_changes")

        await self._threads.write(work)
        self._cache.clear()
