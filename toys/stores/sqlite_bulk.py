"""What `toys-server copy` needs from the SQLite store beyond the port: many toys at once, in
one transaction, how many there are, the highest revision, and none. SqliteToyStore
inherits these; they are for tools, not for a server taking calls on the same store."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence

from toys.core.by_revision import ByRevision
from toys.domain import Toy
from toys.stores.group_commit import Answer, NewToys
from toys.stores.sqlite_threads import SqliteThreads, write_transaction


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

    async def load(self, batches: AsyncIterator[Sequence[Toy]], *, replace: bool) -> int:
        """Every toy of `batches` (first removing every toy there is, if `replace`), all in
        one transaction: on any failure the store is left as it was. Returns how many."""
        db = self._threads.writer()
        loaded = 0

        def begin() -> None:
            db.execute("BEGIN IMMEDIATE")
            if replace:  # the change log goes too: a resume token from before is too old
                db.execute("DELETE FROM toys")
                db.execute("DELETE FROM toy_changes")

        def rollback() -> None:
            if db.in_transaction:
                db.execute("ROLLBACK")

        await self._threads.write(begin)
        try:
            async for batch in batches:
                toys: NewToys = [(toy, None) for toy in batch]
                await self._threads.write(lambda: self._insert(db, toys))  # noqa: B023  # awaited at once
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
