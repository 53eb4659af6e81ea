"""The PostgreSQL change log's reads: changes after a sequence, the history kept, a snapshot
for a new watch, and a LISTEN connection that wakes the change feed on every replica's
commits. The log itself is written by the trigger in toys.stores.postgres_schema;
PostgresToyStore inherits these."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

import asyncpg

from toys.core.store import Snapshot
from toys.domain import ChangeKind, ManufactureStatus, Toy, ToyChange, WatchFilter
from toys.stores.postgres_schema import CHANGES_CHANNEL
from toys.stores.queries import POSTGRES, select_toys
from toys.stores.records import from_columns
from toys.stores.snapshots import PagedSnapshot

log = logging.getLogger("toys.store")

_AFTER = (
    "SELECT sequence, kind, previous_status, toy FROM toy_changes "
    "WHERE sequence > $1 ORDER BY sequence LIMIT $2"
)
_HISTORY = "SELECT min(sequence), max(sequence) FROM toy_changes"
_OF_TOY = (
    "SELECT sequence, kind, previous_status, toy FROM toy_changes "
    "WHERE toy_id = $1 ORDER BY sequence DESC LIMIT $2"
)
# Everything asyncpg raises when the database or the connection fails. InternalClientError is
# what a pooled connection the server closed can raise on its next use (seen after a restart).
FAILURES = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


def _change(row: Any) -> ToyChange:
    previous = row["previous_status"]
    return ToyChange(
        sequence=int(row["sequence"]),
        kind=ChangeKind(row["kind"]),
        toy=cast("Toy", from_columns(Toy, json.loads(row["toy"]))),
        previous_status=ManufactureStatus(previous) if previous is not None else None,
    )


def _history(row: Any) -> tuple[int, int]:
    oldest, head = row[0], row[1]
    if head is None:
        return 0, 0
    return int(oldest) - 1, int(head)


class PostgresChangeReads:
    _dsn: str
    _connection: Callable[[], AbstractAsyncContextManager[Any]]
    _listener: Any  # asyncpg.Connection | None
    _notified: asyncio.Event
    _listen_failing: bool = False

    async def changes_after(self, sequence: int, limit: int) -> list[ToyChange]:
        async with self._connection() as conn:
            return [_change(row) for row in await conn.fetch(_AFTER, sequence, limit)]

    async def changes_of(self, toy_id: str, limit: int) -> list[ToyChange]:
        async with self._connection() as conn:
            rows = await conn.fetch(_OF_TOY, toy_id, limit)
        return [_change(row) for row in reversed(rows)]

    async def change_history(self) -> tuple[int, int]:
        async with self._connection() as conn:
            return _history(await conn.fetchrow(_HISTORY))

    @contextlib.asynccontextmanager
    async def snapshot(self, watch: WatchFilter) -> AsyncIterator[Snapshot]:
        sql, params = select_toys(POSTGRES, status=watch.status, toy_id=watch.toy_id)
        async with (
            self._connection() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            # One snapshot: its first query fixes what every later one sees.
            _, head = _history(await conn.fetchrow(_HISTORY))
            cursor = await conn.cursor(sql, *params)

            async def fetch(limit: int) -> list[Toy]:
                return [cast("Toy", from_columns(Toy, row)) for row in await cursor.fetch(limit)]

            yield PagedSnapshot(head, fetch)

    async def wait_for_changes(self, timeout_s: float) -> None:
        if self._listener is None or self._listener.is_closed():
            await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._notified.wait(), timeout_s)
        self._notified.clear()

    async def _listen(self) -> None:
        """(Re)open the LISTEN connection; until it works, the feed polls at its timeout."""
        try:
            self._listener = await asyncpg.connect(self._dsn, timeout=5)
            await self._listener.add_listener(CHANGES_CHANNEL, self._on_notify)
        except FAILURES as exc:
            self._listener = None
            # Once per outage at WARNING: the feed asks again at every poll.
            level = logging.DEBUG if self._listen_failing else logging.WARNING
            log.log(level, "cannot LISTEN for changes (polling meanwhile): %s", exc)
            self._listen_failing = True
            return
        self._listen_failing = False
        self._notified.set()  # whatever was committed while nobody listened: look now

    def _on_notify(self, *_: object) -> None:
        self._notified.set()

    async def _stop_listening(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(*FAILURES):
                await self._listener.close(timeout=2)
            self._listener = None
