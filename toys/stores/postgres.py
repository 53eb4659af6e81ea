"""The PostgreSQL ToyStore, on asyncpg: a pool, row locks, and every failure StoreUnavailable.

Shared by any number of stateless replicas. Concurrent changes to one toy take its row lock
(SELECT ... FOR UPDATE) inside one transaction, so the domain rule always decides on the last
committed toy and a run is never counted twice; changes to different toys never wait for each
other. (A revision compare-and-swap would need retries on conflict; the lock needs none and is
held for the milliseconds one decision takes.) The callbacks a toy remembers live in its row,
so every replica sees the same ones.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg

from toys.core.by_revision import ByRevision
from toys.core.store import KEEP_CHANGES, Change, PageCursor, StoreUnavailable, check_next_revision
from toys.domain import ManufactureStatus, RequestKey, Toy, ToyError, ToyNotFound
from toys.stores import postgres_requests as requests
from toys.stores.postgres_bulk import PostgresBulk
from toys.stores.postgres_changes import FAILURES, PostgresChangeReads
from toys.stores.postgres_schema import SchemaMismatch, migrate
from toys.stores.queries import POSTGRES, select_toys
from toys.stores.records import document_fields, field_types, from_columns, to_columns

_FIELDS = list(field_types(Toy))
_DOCUMENTS = document_fields(Toy)
_COLUMNS = ", ".join(_FIELDS)
_PLACEHOLDERS = ", ".join(
    f"${i}::jsonb" if name in _DOCUMENTS else f"${i}" for i, name in enumerate(_FIELDS, 1)
)
_INSERT = f"INSERT INTO toys ({_COLUMNS}) VALUES ({_PLACEHOLDERS})"
_SELECT = f"SELECT {_COLUMNS} FROM toys"
_UPDATE = (
    "UPDATE toys SET "
    + ", ".join(
        f"{name} = ${i}::jsonb" if name in _DOCUMENTS else f"{name} = ${i}"
        for i, name in enumerate(_FIELDS, 1)
        if name != "id"
    )
    + f" WHERE id = ${_FIELDS.index('id') + 1}"
)
_FAILURES = FAILURES
# The change log is pruned to its newest `keep_changes` after every PRUNE_EVERY writes.
PRUNE_EVERY = 500


def _parse(row: Any) -> Toy:
    return cast("Toy", from_columns(Toy, row))


class PostgresToyStore(PostgresBulk, PostgresChangeReads):
    """ToyStore on a PostgreSQL database shared by every replica; the change log's reads come
    from PostgresChangeReads, what `toys-server copy` needs from PostgresBulk."""

    db_system = "postgresql"

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        dsn: str,
        acquire_timeout_s: float,
        keep_changes: int = KEEP_CHANGES,
    ) -> None:
        self._pool = pool
        self._dsn = dsn
        self._acquire_timeout_s = acquire_timeout_s
        self._closed = False
        self._cache: ByRevision[Toy] = ByRevision()
        self._keep_changes = keep_changes
        self._writes_since_prune = 0
        self._listener = None
        self._notified = asyncio.Event()

    def _toy(self, row: Any) -> Toy:
        return self._cache.get_or_make(row["id"], row["revision"], _parse, row)

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        pool_size: int = 10,
        statement_timeout_s: float = 5.0,
        acquire_timeout_s: float = 5.0,
        migrate_schema: bool = True,
        keep_changes: int = KEEP_CHANGES,
        on_version: Callable[[int, int], None] | None = None,
    ) -> PostgresToyStore:
        """Connect, then migrate (or, not `migrate_schema`, check) the schema; raise
        StoreUnavailable saying why when either fails."""
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=pool_size,
                command_timeout=statement_timeout_s,
                timeout=acquire_timeout_s,
                server_settings={"statement_timeout": str(int(statement_timeout_s * 1000))},
            )
        except (*_FAILURES, ValueError) as exc:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc
        store = cls(pool, dsn=dsn, acquire_timeout_s=acquire_timeout_s, keep_changes=keep_changes)
        try:
            async with store._connection() as conn:
                await migrate(conn, allowed=migrate_schema, on_version=on_version)
        except SchemaMismatch as exc:
            await store.close()
            raise StoreUnavailable(str(exc)) from None
        except BaseException:
            await store.close()
            raise
        return store

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A pooled connection; every database failure becomes StoreUnavailable."""
        if self._closed:
            raise StoreUnavailable("the store is closed")
        try:
            async with self._pool.acquire(timeout=self._acquire_timeout_s) as conn:
                yield conn
        except ToyError:
            raise
        except TimeoutError as exc:
            raise StoreUnavailable("no database connection free in time") from exc
        except _FAILURES as exc:
            raise StoreUnavailable(f"database error: {exc}") from exc

    async def _run[T](self, work: Callable[[Any], Awaitable[T]]) -> T:
        async with self._connection() as conn:
            return await work(conn)

    async def _wrote(self, count: int = 1) -> None:
        """After a write: now and then, forget all but the newest changes of the log."""
        self._writes_since_prune += count
        if self._writes_since_prune < PRUNE_EVERY:
            return
        self._writes_since_prune = 0

        async def prune(conn: Any) -> None:
            await conn.execute(
                "DELETE FROM toy_changes WHERE sequence <= "
                "(SELECT coalesce(max(sequence), 0) FROM toy_changes) - $1",
                self._keep_changes,
            )
            await requests.forget_old(conn, datetime.now(UTC))

        await self._run(prune)

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        async def work(conn: Any) -> Toy | ToyError:
            async with conn.transaction():
                earlier = await requests.claim(conn, toy, request) if request else None
                if earlier is None:
                    await conn.execute(_INSERT, *to_columns(toy, times="datetime"))
                return earlier or toy

        answer = await self._run(work)
        await self._wrote()
        if isinstance(answer, ToyError):
            raise answer
        return answer

    async def get(self, toy_id: str) -> Toy:
        row = await self._run(lambda conn: conn.fetchrow(f"{_SELECT} WHERE id = $1", toy_id))
        if row is None:
            raise ToyNotFound(toy_id)
        return self._toy(row)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        sql, params = select_toys(POSTGRES, status=status, after=after, limit=limit)
        rows = await self._run(lambda conn: conn.fetch(sql, *params))
        return [self._toy(row) for row in rows]

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        async def work(conn: Any) -> R:
            async with conn.transaction():
                row = await conn.fetchrow(f"{_SELECT} WHERE id = $1 FOR UPDATE", toy_id)
                if row is None:
                    raise ToyNotFound(toy_id)
                current = self._toy(row)
                new, result = change(current)
                if new is not None:
                    check_next_revision(current, new)
                    await conn.execute(_UPDATE, *to_columns(new, times="datetime"))
                return result

        result = await self._run(work)
        await self._wrote()
        return result

    async def delete(self, toy_id: str) -> None:
        status = await self._run(
            lambda conn: conn.execute("DELETE FROM toys WHERE id = $1", toy_id)
        )
        if status == "DELETE 0":
            raise ToyNotFound(toy_id)
        self._cache.forget(toy_id)
        await self._wrote()

    async def ping(self) -> None:
        # A real write: a database that is read-only, out of space or failing over fails here.
        await self._run(
            lambda conn: conn.execute(
                "INSERT INTO meta (name, value) VALUES ('health_probe', $1) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                os.urandom(8),
            )
        )

    async def deployment_key(self) -> bytes:
        value = await self._run(
            lambda conn: conn.fetchval("SELECT value FROM meta WHERE name = 'deployment_key'")
        )
        if value is None:
            raise StoreUnavailable("the database has no deployment key; it was not migrated")
        return bytes(value)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._stop_listening()
        try:
            await self._pool.close()
        except _FAILURES:
            self._pool.terminate()
