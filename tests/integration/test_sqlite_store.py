"""What only the SQLite store does: WAL, PRAGMA user_version migrations, :memory:, a lock held
by another process. The behaviour both stores share is in test_store_contract.py."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.old_releases import write_first_release_database
from tests.strategies import every_field_set
from tests.support import T0
from toys.core.store import StoreUnavailable
from toys.domain import (
    NewToy,
    Toy,
    create_toy,
)
from toys.stores.sqlite import MEMORY, SqliteToyStore
from toys.stores.sqlite_schema import SCHEMA_VERSION


def toy_named(name: str, minutes: int = 0, toy_id: str | None = None) -> Toy:
    return create_toy(NewToy(name=name), toy_id or f"id-{name}", T0 + timedelta(minutes=minutes))


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


async def test_a_schema_1_database_is_migrated_without_losing_a_field(db_path: Path) -> None:
    """A row written by the first release reads back as the same toy after migration."""
    write_first_release_database(db_path)
    store = await SqliteToyStore.open(str(db_path))
    try:
        # Schema 4 starts every existing toy at revision 1.
        assert await store.get("every-field") == replace(every_field_set(), revision=1)
    finally:
        await store.close()


async def test_toys_added_together_share_a_commit_and_fail_alone(db_path: Path) -> None:
    """Concurrent adds are written in batches; a toy that cannot be stored (its id is taken)
    fails on its own, and every other toy of its batch is stored."""
    store = await SqliteToyStore.open(str(db_path))
    try:
        await store.add(toy_named("taken"))
        batch = [toy_named(f"t{i}") for i in range(40)] + [toy_named("taken", minutes=5)]
        outcomes = await asyncio.gather(*(store.add(t) for t in batch), return_exceptions=True)
        failed = [
            t.name
            for t, outcome in zip(batch, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        ]
        assert failed == ["taken"]
        assert isinstance(outcomes[-1], StoreUnavailable)
        assert await store.count() == 41
    finally:
        await store.close()
