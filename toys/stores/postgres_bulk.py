"""What `toys-server copy` needs from the PostgreSQL store beyond the port: many toys at once
through COPY (PostgreSQL's bulk load, several times faster than an INSERT a toy), how many
there are, the highest revision, and none. PostgresToyStore inherits these."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from toys.core.by_revision import ByRevision
from toys.core.store import StatusSummary
from toys.domain import ManufactureStatus, Toy
from toys.stores.queries import RUNNING_SINCE_SQL
from toys.stores.records import PlainRow, field_types, plain_to_datetimes, to_columns

_FIELDS = list(field_types(Toy))


async def _copy_in(conn: Any, toys: Sequence[Toy]) -> None:
    await conn.copy_records_to_table(
        "toys", records=[to_columns(toy, times="datetime") for toy in toys], columns=_FIELDS
    )


class PostgresBulk:
    _cache: ByRevision[Toy]
    _connection: Callable[[], AbstractAsyncContextManager[Any]]
    _run: Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]
    _wrote: Callable[[int], Awaitable[None]]

    async def add_many(self, toys: Sequence[Toy]) -> None:
        """Many new toys in one transaction."""

        async def work(conn: Any) -> None:
            async with conn.transaction():
                await _copy_in(conn, toys)

        await self._run(work)
        await self._wrote(len(toys))

    async def load(self, batches: AsyncIterator[Sequence[PlainRow]], *, replace: bool) -> int:
        """Every toy of `batches` (first removing every toy there is, if `replace`), all in
        one transaction: on any failure the database is left as it was. Returns how many."""
        loaded = 0
        try:
            async with self._connection() as conn, conn.transaction():
                if replace:  # the trigger logs each one DELETED, for watchers
                    await conn.execute("DELETE FROM toys")
                async for batch in batches:
                    await conn.copy_records_to_table(
                        "toys",
                        records=[plain_to_datetimes(Toy, row) for row in batch],
                        columns=_FIELDS,
                    )
                    loaded += len(batch)
        finally:
            self._cache.clear()
        return loaded

    async def count(self) -> int:
        return int(await self._run(lambda conn: conn.fetchval("SELECT count(*) FROM toys")))

    async def status_summary(self) -> StatusSummary:
        async def read(conn: Any) -> StatusSummary:
            counts = await conn.fetch("SELECT status, count(*) AS n FROM toys GROUP BY status")
            oldest = await conn.fetchval(RUNNING_SINCE_SQL)
            return StatusSummary(
                {ManufactureStatus(row["status"]): int(row["n"]) for row in counts}, oldest
            )

        summary: StatusSummary = await self._run(read)
        return summary

    async def max_revision(self) -> int:
        query = "SELECT coalesce(max(revision), 0) FROM toys"
        return int(await self._run(lambda conn: conn.fetchval(query)))

    async def clear(self) -> None:
        """Remove every toy; the change log records each one DELETED."""
        await self._run(lambda conn: conn.execute("DELETE FROM toys"))
        self._cache.clear()
