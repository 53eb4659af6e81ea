"""The SQLite store on a real file: round trips, migrations, atomic updates, failures."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import every_field_set, toys
from tests.support import T0
from toys.domain import (
    ManufactureStatus,
    NewToy,
    Toy,
    ToyNotFound,
    create_toy,
)
from toys.store import PageCursor, StoreUnavailable
from toys.stores.sqlite import MEMORY, SqliteToyStore
from toys.stores.sqlite_schema import MIGRATIONS, SCHEMA_VERSION


def toy_named(name: str, minutes: int = 0, toy_id: str | None = None) -> Toy:
    return create_toy(NewToy(name=name), toy_id or f"id-{name}", T0 + timedelta(minutes=minutes))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(toy=toys())
async def test_save_then_load_gives_the_same_toy(store: SqliteToyStore, toy: Toy) -> None:
    """Any valid toy, saved and loaded again, is equal field for field."""
    await store.add(toy)
    try:
        assert await store.get(toy.id) == toy
    finally:
        await store.delete(toy.id)


async def test_a_new_database_is_migrated_to_the_current_schema(db_path: Path) -> None:
    """Opening creates the schema and records its version in PRAGMA user_version."""
    store = await SqliteToyStore.open(str(db_path))
    try:
        assert await store.schema_version() == SCHEMA_VERSION
    finally:
        await store.close()
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_database_from_a_newer_release_is_refused(db_path: Path) -> None:
    """A schema newer than the code is not touched: opening fails with a clear message."""
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreUnavailable, match="newer than this server supports"):
        await SqliteToyStore.open(str(db_path))


async def test_toys_survive_reopening(db_path: Path) -> None:
    """What one store wrote, the next store on the same file reads."""
    first = await SqliteToyStore.open(str(db_path))
    await first.add(toy_named("Car"))
    await first.close()
    second = await SqliteToyStore.open(str(db_path))
    try:
        assert (await second.get("id-Car")).name == "Car"
    finally:
        await second.close()


async def test_memory_store_works_without_a_file(tmp_path: Path) -> None:
    """':memory:' gives a throwaway store and writes no file."""
    store = await SqliteToyStore.open(MEMORY)
    try:
        await store.add(toy_named("Kite"))
        assert [t.name for t in await store.list(status=None, after=None, limit=10)] == ["Kite"]
    finally:
        await store.close()
    assert list(tmp_path.iterdir()) == []


async def test_list_pages_in_creation_order_with_filter(store: SqliteToyStore) -> None:
    """Keyset pages follow (create_time, id) and the status filter applies."""
    for index in range(5):
        toy = toy_named(f"t{index}", minutes=index)
        if index % 2:
            toy = replace(toy, status=ManufactureStatus.RUNNING)
        await store.add(toy)
    first = await store.list(status=None, after=None, limit=2)
    assert [t.name for t in first] == ["t0", "t1"]
    rest = await store.list(
        status=None, after=PageCursor(first[-1].create_time, first[-1].id), limit=10
    )
    assert [t.name for t in rest] == ["t2", "t3", "t4"]
    running = await store.list(status=ManufactureStatus.RUNNING, after=None, limit=10)
    assert [t.name for t in running] == ["t1", "t3"]


async def test_missing_toys_are_not_found(store: SqliteToyStore) -> None:
    """get, update and delete of an unknown id raise ToyNotFound."""
    with pytest.raises(ToyNotFound):
        await store.get("nope")
    with pytest.raises(ToyNotFound):
        await store.delete("nope")
    with pytest.raises(ToyNotFound):
        await store.update("nope", lambda toy: (toy, None))


async def test_a_failing_change_leaves_the_toy_untouched(store: SqliteToyStore) -> None:
    """An error raised inside update rolls the transaction back."""
    await store.add(toy_named("Car"))

    def explode(toy: Toy) -> tuple[Toy | None, None]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await store.update("id-Car", explode)
    assert (await store.get("id-Car")).number_manufactured == 0
    await store.update("id-Car", lambda toy: (replace(toy, number_manufactured=1), None))
    assert (await store.get("id-Car")).number_manufactured == 1


async def test_concurrent_updates_lose_nothing(store: SqliteToyStore) -> None:
    """200 increments issued at once all land: each update sees the previous one."""
    await store.add(toy_named("Car"))

    def bump(toy: Toy) -> tuple[Toy | None, int]:
        return replace(toy, number_manufactured=toy.number_manufactured + 1), 0

    await asyncio.gather(*(store.update("id-Car", bump) for _ in range(200)))
    assert (await store.get("id-Car")).number_manufactured == 200


async def test_two_stores_on_one_file_lose_no_update(db_path: Path) -> None:
    """Two processes' worth of stores on the same file serialise through BEGIN IMMEDIATE."""
    first = await SqliteToyStore.open(str(db_path))
    second = await SqliteToyStore.open(str(db_path))
    try:
        await first.add(toy_named("Car"))

        def bump(toy: Toy) -> tuple[Toy | None, None]:
            return replace(toy, number_manufactured=toy.number_manufactured + 1), None

        await asyncio.gather(
            *(s.update("id-Car", bump) for _ in range(50) for s in (first, second))
        )
        assert (await first.get("id-Car")).number_manufactured == 100
    finally:
        await first.close()
        await second.close()


async def test_a_database_locked_by_another_writer_is_unavailable(db_path: Path) -> None:
    """While another connection holds the write lock past the busy timeout, ping fails;
    once it lets go, ping succeeds again."""
    store = await SqliteToyStore.open(str(db_path), busy_timeout_s=0.05)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        await store.ping()
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreUnavailable, match="database is locked"):
            await store.ping()
        holder.execute("ROLLBACK")
        await store.ping()
    finally:
        holder.close()
        await store.close()


async def test_a_closed_store_refuses_work(db_path: Path) -> None:
    """After close, every call is StoreUnavailable, and close is idempotent."""
    store = await SqliteToyStore.open(str(db_path))
    await store.close()
    await store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        await store.get("x")


async def test_every_field_survives_the_store(store: SqliteToyStore) -> None:
    """A toy with no default left anywhere comes back field for field."""
    toy = every_field_set()
    await store.add(toy)
    loaded = await store.get(toy.id)
    for field in dataclasses.fields(Toy):
        assert getattr(loaded, field.name) == getattr(toy, field.name), field.name


_SCHEMA_1_ROW = (
    "every-field",
    "Car",
    "Ada",
    "Acme",
    1_775_001_600_000_000,
    1_775_088_000_000_000,
    1_777_631_465_000_000,
    "Failed",
    5,
    1_776_643_200_000_000,
    '{"uid":"4a1f","name":"make-1","namespace":"factory","status":"Failed",'
    '"creation_us":1777629600000000,"started_us":1777629601000000,'
    '"finished_us":1777631460000000,"message":"main: exit code 3","units_produced":2,'
    '"failures":[{"display_name":"main","message":"exit code 3","template_name":"assemble",'
    '"phase":"Failed","pod_name":"make-1-main-42","finished_us":1777631400000000}]}',
    '[["9c2e","Succeeded"],["4a1f","Failed"]]',
)


async def test_a_schema_1_database_is_migrated_without_losing_a_field(db_path: Path) -> None:
    """A row written by the first release reads back as the same toy after migration."""
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("BEGIN")
        for statement in MIGRATIONS[0]:
            assert isinstance(statement, str)
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO toys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _SCHEMA_1_ROW)
        conn.execute("COMMIT")
    store = await SqliteToyStore.open(str(db_path))
    try:
        assert await store.get("every-field") == every_field_set()
    finally:
        await store.close()
