"""What only the PostgreSQL store does: migrations under an advisory lock, a database that goes
away and comes back, a pool with no connection free."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from tests.postgres_server import PostgresServer, create_database
from tests.support import T0
from toys.core.store import StoreUnavailable
from toys.domain import NewToy, create_toy
from toys.stores.postgres import PostgresToyStore
from toys.stores.postgres_schema import SCHEMA_VERSION


async def test_ten_replicas_starting_at_once_migrate_once(postgres: str) -> None:
    dsn = await create_database(postgres)
    stores = await asyncio.gather(*(PostgresToyStore.open(dsn, pool_size=2) for _ in range(10)))
    try:
        keys = {await store.deployment_key() for store in stores}
        assert len(keys) == 1  # one migration made one key
        conn = await asyncpg.connect(dsn)
        try:
            assert await conn.fetchval("SELECT version FROM schema_version") == SCHEMA_VERSION
            assert await conn.fetchval("SELECT count(*) FROM schema_version") == 1
        finally:
            await conn.close()
    finally:
        for store in stores:
            await store.close()


async def test_a_database_from_a_newer_release_is_refused(postgres: str) -> None:
    dsn = await create_database(postgres)
    await (await PostgresToyStore.open(dsn)).close()
    conn = await asyncpg.connect(dsn)
    await conn.execute("UPDATE schema_version SET version = version + 1")
    await conn.close()
    with pytest.raises(StoreUnavailable, match="newer than this server supports"):
        await PostgresToyStore.open(dsn)


async def test_no_free_connection_in_time_is_unavailable(postgres: str) -> None:
    """A call waits for a pooled connection no longer than the timeout, then is UNAVAILABLE."""
    dsn = await create_database(postgres)
    store = await PostgresToyStore.open(dsn, pool_size=1, acquire_timeout_s=0.2)
    await store.add(create_toy(NewToy(name="Car"), "toy-1", T0))
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_only_connection() -> None:
        async with store._connection():
            holding.set()
            await release.wait()

    task = asyncio.create_task(hold_the_only_connection())
    await holding.wait()
    try:
        with pytest.raises(StoreUnavailable, match="no database connection free in time"):
            await store.get("toy-1")
    finally:
        release.set()
        await task
        await store.close()


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, to stop and start."""
    server = PostgresServer().initdb().start()
    try:
        yield server
    finally:
        server.remove()


async def test_the_database_going_away_is_unavailable_then_recovers(
    own_server: PostgresServer,
) -> None:
    store = await PostgresToyStore.open(own_server.dsn(), pool_size=2)
    try:
        await store.add(create_toy(NewToy(name="Car"), "toy-1", T0))
        own_server.stop()
        with pytest.raises(StoreUnavailable):
            await store.get("toy-1")
        with pytest.raises(StoreUnavailable):
            await store.ping()
        own_server.start()
        assert (await store.get("toy-1")).name == "Car"
        await store.ping()
    finally:
        await store.close()
